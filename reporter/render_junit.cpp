// stub
#include "render.h"
namespace dm {
void renderJunit(std::ostream&, const Model&, const Findings&, const RenderOptions&) {}
}
