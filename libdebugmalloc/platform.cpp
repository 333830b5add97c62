// System call wrappers used by the allocator: mappings, writes, ids.
#include "platform.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace dm {

namespace {
// Keeps errno as the caller saw it: a successful malloc must not change errno.
class ErrnoGuard {
 public:
  ErrnoGuard() : saved_(errno) {}
  ~ErrnoGuard() { errno = saved_; }

 private:
  int saved_;
};
}  // namespace

void* os_map(size_t size) {
  ErrnoGuard keep;
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void* os_map_aligned(size_t size, size_t align, bool committed) {
  ErrnoGuard keep;
  if (size + align < size) return nullptr;
  // Map more than needed, then trim both ends to the aligned window.
  size_t padded = size + align - kPageSize;
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | (committed ? 0 : MAP_NORESERVE);
  void* raw = mmap(nullptr, padded, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = align_up(start, align);
  if (aligned > start) munmap(raw, aligned - start);
  uintptr_t end = start + padded;
  if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  return reinterpret_cast<void*>(aligned);
}

void os_unmap(void* p, size_t size) {
  ErrnoGuard keep;
  munmap(p, size);
}

void os_release(void* p, size_t size) {
  ErrnoGuard keep;
  madvise(p, size, MADV_DONTNEED);
}

void os_protect(void* p, size_t size, bool accessible) {
  ErrnoGuard keep;
  mprotect(p, size, accessible ? PROT_READ | PROT_WRITE : PROT_NONE);
}

void os_write_all(int fd, const char* data, size_t size) {
  ErrnoGuard keep;
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

int os_getpid() { return static_cast<int>(syscall(SYS_getpid)); }
int os_gettid() { return static_cast<int>(syscall(SYS_gettid)); }

}  // namespace dm
