// /proc/self/maps parsing into an mmap'd array.
#include "support/memory_map.h"

#include <fcntl.h>
#include <unistd.h>

#include "support/platform.h"

namespace dm {

namespace {

uintptr_t parse_hex(const char*& p, const char* end) {
  uintptr_t v = 0;
  for (; p < end; ++p) {
    char c = *p;
    if (c >= '0' && c <= '9')
      v = v * 16 + static_cast<uintptr_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v = v * 16 + static_cast<uintptr_t>(c - 'a' + 10);
    else
      break;
  }
  return v;
}

bool starts_with(const char* p, const char* end, const char* prefix) {
  for (; *prefix != '\0'; ++p, ++prefix)
    if (p == end || *p != *prefix) return false;
  return true;
}

// Reads the whole file into a mapping that grows as needed; returns its length.
size_t read_all(const char* path, char** buffer, size_t* mapped) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t cap = 1 << 20, len = 0;
  char* buf = static_cast<char*>(os_map(cap));
  while (buf != nullptr) {
    ssize_t n = read(fd, buf + len, cap - len);
    if (n <= 0) break;
    len += static_cast<size_t>(n);
    if (len == cap) {  // grow: map a bigger buffer and copy
      char* bigger = static_cast<char*>(os_map(cap * 2));
      if (bigger == nullptr) break;
      for (size_t i = 0; i < len; ++i) bigger[i] = buf[i];
      os_unmap(buf, cap);
      buf = bigger;
      cap *= 2;
    }
  }
  close(fd);
  *buffer = buf;
  *mapped = cap;
  return buf != nullptr ? len : 0;
}

}  // namespace

MemoryMap::MemoryMap() {
  char* text = nullptr;
  size_t text_mapped = 0;
  size_t len = read_all("/proc/self/maps", &text, &text_mapped);
  if (text == nullptr) return;
  size_t lines = 0;
  for (size_t i = 0; i < len; ++i) lines += text[i] == '\n';
  capacity_bytes_ = align_up((lines + 1) * sizeof(Mapping), kPageSize);
  mappings_ = static_cast<Mapping*>(os_map(capacity_bytes_));
  if (mappings_ != nullptr) {
    const char* p = text;
    const char* end = text + len;
    while (p < end) {
      const char* eol = p;
      while (eol < end && *eol != '\n') ++eol;
      Mapping m{};
      m.start = parse_hex(p, eol);
      if (p < eol && *p == '-') ++p;
      m.end = parse_hex(p, eol);
      if (p + 5 <= eol) {
        m.readable = p[1] == 'r';
        m.writable = p[2] == 'w';
      }
      // The path follows perms, offset, dev and inode; anonymous mappings have none (or "[...]").
      int field = 0;
      const char* q = p;
      while (q < eol && field < 4) {  // perms, offset, dev, inode
        while (q < eol && *q == ' ') ++q;
        while (q < eol && *q != ' ') ++q;
        ++field;
      }
      while (q < eol && *q == ' ') ++q;
      m.anonymous = q == eol || *q == '[';
      m.device = starts_with(q, eol, "/dev/") && !starts_with(q, eol, "/dev/zero") && !starts_with(q, eol, "/dev/shm/");
      if (m.end > m.start) mappings_[count_++] = m;
      p = eol + 1;
    }
  }
  os_unmap(text, text_mapped);
}

MemoryMap::~MemoryMap() {
  if (mappings_ != nullptr) os_unmap(mappings_, capacity_bytes_);
}

const Mapping* MemoryMap::find(uintptr_t address) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {  // mappings are sorted by address
    size_t mid = (lo + hi) / 2;
    if (mappings_[mid].end <= address)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < count_ && mappings_[lo].start <= address ? &mappings_[lo] : nullptr;
}

}  // namespace dm
