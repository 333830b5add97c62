// Bump allocation of process-long strings in mmap'd chunks.
#include "support/kept_strings.h"

#include <cstring>

#include "support/mutex.h"
#include "support/platform.h"

namespace dm {

namespace {
constinit Mutex g_mu;
constinit char* g_next = nullptr;
constinit size_t g_left = 0;
}  // namespace

const char* keep_string(const char* s, size_t n) {
  ScopedLock lock(g_mu);
  if (n + 1 > g_left) {
    size_t chunk = n + 1 > 65536 ? align_up(n + 1, kPageSize) : 65536;
    char* fresh = static_cast<char*>(os_map(chunk));
    if (fresh == nullptr) return "";
    g_next = fresh;
    g_left = chunk;
  }
  char* out = g_next;
  memcpy(out, s, n);
  out[n] = '\0';
  g_next += n + 1;
  g_left -= n + 1;
  return out;
}

}  // namespace dm
