// Names of the allocation and deallocation APIs, for reports.
#include "heap/chunk.h"

namespace dm {

const char* origin_alloc_name(AllocOrigin origin) {
  switch (origin) {
    case AllocOrigin::kMalloc:
      return "malloc()";
    case AllocOrigin::kNew:
      return "operator new";
    case AllocOrigin::kNewArray:
      return "operator new []";
    case AllocOrigin::kNewAligned:
      return "operator new(align_val_t)";
    case AllocOrigin::kNewArrayAligned:
      return "operator new [](align_val_t)";
  }
  return "?";
}

const char* origin_dealloc_name(AllocOrigin origin) {
  switch (origin) {
    case AllocOrigin::kMalloc:
      return "free()";
    case AllocOrigin::kNew:
      return "operator delete";
    case AllocOrigin::kNewArray:
      return "operator delete []";
    case AllocOrigin::kNewAligned:
      return "operator delete(align_val_t)";
    case AllocOrigin::kNewArrayAligned:
      return "operator delete [](align_val_t)";
  }
  return "?";
}

}  // namespace dm
