// The exported runtime API declared in include/debugmalloc/debugmalloc.h.
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "heap_check.h"
#include "init.h"

DM_EXPORT int __debugmalloc_running(void) { return 1; }

DM_EXPORT size_t __debugmalloc_check_heap(void) {
  dm::ensure_initialized();
  return dm::check_heap("debugmalloc_check_heap()", reinterpret_cast<uintptr_t>(__builtin_return_address(0)));
}

DM_EXPORT size_t __debugmalloc_error_count(void) { return dm::error_count(); }
