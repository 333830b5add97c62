// stub
#include "render.h"
namespace dm {
void renderSarif(std::ostream&, const Model&, const Findings&, const RenderOptions&) {}
}
