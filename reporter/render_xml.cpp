// stub
#include "render.h"
namespace dm {
void renderValgrindXml(std::ostream&, const Model&, const Findings&, const RenderOptions&) {}
}
