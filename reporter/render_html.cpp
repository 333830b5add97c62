// stub
#include "render.h"
namespace dm {
void renderHtml(std::ostream&, const Model&, const Findings&, const RenderOptions&) {}
}
