// The leak scan: mark from the roots, then group unreached blocks into
// cliques (Valgrind's algorithm), then aggregate by (kind, allocation stack).
#include "leaks.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <unistd.h>

#include "block.h"
#include "heap_walk.h"
#include "internal_arena.h"
#include "memory_map.h"
#include "text_buffer.h"
#include "thread_stop.h"

namespace dm {

constinit std::atomic<uint32_t> g_heap_epoch{1};
__thread int t_leaks_disabled __attribute__((tls_model("initial-exec"))) = 0;

namespace {

// Per-block marks during a scan. Only ever upgraded: unreached -> possible -> reachable.
enum Mark : uint8_t { kNotLive = 0, kUnreached, kPossible, kReachable, kIndirect, kDefinite };

struct Target {
  uint8_t* mark;
  uintptr_t user;
  size_t size;
  const ChunkHeader* header;
};

struct Leader {
  uintptr_t user;
  uint64_t indirect_bytes;
  uint64_t indirect_blocks;
  bool absorbed;  // became indirect of a later clique
};

class Scanner {
 public:
  explicit Scanner(SpanSnapshot& spans) : spans_(spans) {}

  bool prepare();
  void release();
  void scan_root(uintptr_t begin, uintptr_t end) { scan_words(begin, end, kReachable); }
  void propagate();
  void find_cliques();
  void aggregate(LeakResult* out, uint32_t min_epoch);

 private:
  bool resolve(uintptr_t word, Target* t) const;
  void scan_words(uintptr_t begin, uintptr_t end, uint8_t from);
  void scan_block(const Target& t, uint8_t from) { scan_words(t.user, t.user + t.size, from); }
  template <typename Fn>
  void for_each_live(Fn&& fn);
  void absorb(Leader& into, uintptr_t earlier_leader, size_t size);
  void add(LeakResult* out, LeakKind kind, StackId stack, uint64_t bytes, uint64_t ind_bytes, uint64_t ind_blocks);

  SpanSnapshot& spans_;
  uintptr_t heap_lo_ = 0, heap_hi_ = 0;
  MmapVector<uintptr_t> work_;  // blocks to scan (their user pointers)
  MmapVector<Leader> leaders_;   // definite blocks in address order
  MmapVector<uint32_t> group_index_;  // open-addressing table: group number + 1
};

bool Scanner::prepare() {
  if (spans_.size() == 0) return true;
  heap_lo_ = spans_[0]->start;
  for (size_t i = 0; i < spans_.size(); ++i) {
    ListedSpan* span = spans_[i];
    if (span->start + span->size > heap_hi_) heap_hi_ = span->start + span->size;
    if (span->kind == ZoneKind::kLarge) {
      auto* large = static_cast<LargeMeta*>(span);
      large->scan_mark = large->header.state() == ChunkState::kAllocated ? kUnreached : kNotLive;
      continue;
    }
    auto* zone = static_cast<ZoneMeta*>(span);
    if (zone->bump == 0) continue;
    zone->scan_marks = static_cast<uint8_t*>(os_map(align_up(zone->bump, kPageSize)));
    if (zone->scan_marks == nullptr) return false;
    for (uint32_t s = 0; s < zone->bump; ++s) {
      BlockRef b;
      uintptr_t slot = zone->start + static_cast<uintptr_t>(s) * zone->slot_size;
      if (block_at_slot(zone, slot, &b) == Locate::kFound && b.header->state() == ChunkState::kAllocated)
        zone->scan_marks[s] = kUnreached;
    }
  }
  return true;
}

void Scanner::release() {
  for (size_t i = 0; i < spans_.size(); ++i) {
    if (spans_[i]->kind == ZoneKind::kLarge) continue;
    auto* zone = static_cast<ZoneMeta*>(spans_[i]);
    if (zone->scan_marks != nullptr) os_unmap(zone->scan_marks, align_up(zone->bump, kPageSize));
    zone->scan_marks = nullptr;
  }
}

// Is `word` a pointer into a live block (its first byte up to its last)?
DM_ALWAYS_INLINE bool Scanner::resolve(uintptr_t word, Target* t) const {
  if (word < heap_lo_ || word >= heap_hi_) return false;
  ListedSpan* span = registry().lookup(word);
  if (span == nullptr) return false;
  if (span->kind == ZoneKind::kLarge) {
    auto* large = static_cast<LargeMeta*>(span);
    if (large->scan_mark == kNotLive) return false;
    *t = {&large->scan_mark, large->user, large->user_size, &large->header};
  } else {
    auto* zone = static_cast<ZoneMeta*>(span);
    if (zone->scan_marks == nullptr) return false;
    uintptr_t index = (word - zone->start) / zone->slot_size;
    if (index >= zone->bump || zone->scan_marks[index] == kNotLive) return false;
    uintptr_t slot = zone->start + index * zone->slot_size;
    auto* header = reinterpret_cast<const ChunkHeader*>(slot);
    *t = {&zone->scan_marks[index], slot + header->user_offset(), header->size(), header};
  }
  // A zero-size block is pointed to only by its start.
  return word == t->user || (word > t->user && word < t->user + t->size);
}

void Scanner::scan_words(uintptr_t begin, uintptr_t end, uint8_t from) {
  begin = align_up(begin, sizeof(uintptr_t));
  Target t;
  for (uintptr_t p = begin; p + sizeof(uintptr_t) <= end; p += sizeof(uintptr_t)) {
    uintptr_t word = *reinterpret_cast<const uintptr_t*>(p);
    if (!resolve(word, &t)) continue;
    uint8_t& mark = *t.mark;
    if (from == kReachable && word == t.user) {
      if (mark == kUnreached || mark == kPossible) {
        mark = kReachable;
        work_.push_back(t.user);
      }
    } else if (mark == kUnreached) {
      mark = kPossible;
      work_.push_back(t.user);
    }
  }
}

void Scanner::propagate() {
  Target t;
  while (!work_.empty()) {
    uintptr_t user = work_.back();
    work_.pop_back();
    if (resolve(user, &t)) scan_block(t, *t.mark);
  }
}

template <typename Fn>
void Scanner::for_each_live(Fn&& fn) {
  for (size_t i = 0; i < spans_.size(); ++i) {
    ListedSpan* span = spans_[i];
    if (span->kind == ZoneKind::kLarge) {
      auto* large = static_cast<LargeMeta*>(span);
      if (large->scan_mark != kNotLive) fn(Target{&large->scan_mark, large->user, large->user_size, &large->header});
      continue;
    }
    auto* zone = static_cast<ZoneMeta*>(span);
    if (zone->scan_marks == nullptr) continue;
    for (uint32_t s = 0; s < zone->bump; ++s) {
      if (zone->scan_marks[s] == kNotLive) continue;
      uintptr_t slot = zone->start + static_cast<uintptr_t>(s) * zone->slot_size;
      auto* header = reinterpret_cast<const ChunkHeader*>(slot);
      fn(Target{&zone->scan_marks[s], slot + header->user_offset(), header->size(), header});
    }
  }
}

// An earlier clique's leader is pointed to from this clique: it and all that
// hangs from it become indirect, owned by this clique's leader.
void Scanner::absorb(Leader& into, uintptr_t earlier_leader, size_t size) {
  size_t lo = 0, hi = leaders_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (leaders_[mid].user < earlier_leader) lo = mid + 1;
    else hi = mid;
  }
  if (lo == leaders_.size() || leaders_[lo].user != earlier_leader) return;
  Leader& earlier = leaders_[lo];
  into.indirect_bytes += size + earlier.indirect_bytes;
  into.indirect_blocks += 1 + earlier.indirect_blocks;
  earlier.absorbed = true;
}

void Scanner::find_cliques() {
  for_each_live([&](const Target& start) {
    if (*start.mark != kUnreached) return;
    *start.mark = kDefinite;
    if (!leaders_.push_back(Leader{start.user, 0, 0, false})) return;
    size_t me = leaders_.size() - 1;
    work_.push_back(start.user);
    Target t;
    while (!work_.empty()) {
      uintptr_t user = work_.back();
      work_.pop_back();
      if (!resolve(user, &t)) continue;
      uintptr_t end = t.user + t.size;
      for (uintptr_t p = align_up(t.user, 8); p + 8 <= end; p += 8) {
        Target c;
        if (!resolve(*reinterpret_cast<const uintptr_t*>(p), &c)) continue;
        if (*c.mark == kUnreached) {
          *c.mark = kIndirect;
          leaders_[me].indirect_bytes += c.size;
          leaders_[me].indirect_blocks += 1;
          work_.push_back(c.user);
        } else if (*c.mark == kDefinite && c.user != start.user) {
          *c.mark = kIndirect;
          absorb(leaders_[me], c.user, c.size);
        }
      }
    }
  });
}

void Scanner::add(LeakResult* out, LeakKind kind, StackId stack, uint64_t bytes, uint64_t ind_bytes,
                  uint64_t ind_blocks) {
  // Grow the index at half load (and on first use).
  if (group_index_.size() == 0 || out->groups.size() * 2 >= group_index_.size()) {
    size_t cap = group_index_.size() == 0 ? 1024 : group_index_.size() * 2;
    group_index_.reset();
    for (size_t i = 0; i < cap; ++i) group_index_.push_back(0);
    for (size_t g = 0; g < out->groups.size(); ++g) {
      uint64_t h = (static_cast<uint64_t>(out->groups[g].stack) * 4 + static_cast<uint64_t>(out->groups[g].kind)) * 0x9E3779B97F4A7C15ull;
      size_t i = static_cast<size_t>(h >> 20) & (cap - 1);
      while (group_index_[i] != 0) i = (i + 1) & (cap - 1);
      group_index_[i] = static_cast<uint32_t>(g + 1);
    }
  }
  size_t cap = group_index_.size();
  uint64_t h = (static_cast<uint64_t>(stack) * 4 + static_cast<uint64_t>(kind)) * 0x9E3779B97F4A7C15ull;
  size_t i = static_cast<size_t>(h >> 20) & (cap - 1);
  for (;; i = (i + 1) & (cap - 1)) {
    uint32_t g = group_index_[i];
    if (g == 0) {
      if (!out->groups.push_back(LeakGroup{kind, stack, 0, 0, 0, 0, false})) return;
      group_index_[i] = static_cast<uint32_t>(out->groups.size());
      g = group_index_[i];
    }
    LeakGroup& group = out->groups[g - 1];
    if (group.kind != kind || group.stack != stack) continue;
    group.bytes += bytes;
    group.blocks += 1;
    group.indirect_bytes += ind_bytes;
    group.indirect_blocks += ind_blocks;
    break;
  }
  out->bytes[static_cast<int>(kind)] += bytes;
  out->blocks[static_cast<int>(kind)] += 1;
}

void Scanner::aggregate(LeakResult* out, uint32_t min_epoch) {
  size_t next_leader = 0;
  for_each_live([&](const Target& t) {
    ++out->scanned_blocks;
    uint64_t ind_bytes = 0, ind_blocks = 0;
    uint8_t mark = *t.mark;
    if (mark == kDefinite) {
      while (next_leader < leaders_.size() && leaders_[next_leader].user < t.user) ++next_leader;
      if (next_leader < leaders_.size() && leaders_[next_leader].user == t.user) {
        ind_bytes = leaders_[next_leader].indirect_bytes;
        ind_blocks = leaders_[next_leader].indirect_blocks;
      }
    }
    uint32_t epoch = t.header->epoch();
    if (epoch == kIgnoredEpoch || epoch < min_epoch) return;
    LeakKind kind = mark == kReachable ? LeakKind::kReachable
                  : mark == kPossible  ? LeakKind::kPossible
                  : mark == kIndirect  ? LeakKind::kIndirect
                                       : LeakKind::kDefinite;
    add(out, kind, t.header->alloc_stack, t.size, ind_bytes, ind_blocks);
  });
}

// ---- roots ----

struct Range {
  uintptr_t begin, end;
};

struct SegmentCollector {
  MmapVector<Range>* ranges;
  uintptr_t own_base;  // this library's own data holds no pointers to the program's blocks
};

int collect_module_segments(struct dl_phdr_info* info, size_t, void* data) {
  auto* ctx = static_cast<SegmentCollector*>(data);
  if (info->dlpi_addr == ctx->own_base) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W) != 0) {
      uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
      ctx->ranges->push_back(Range{begin, begin + ph.p_memsz});
    } else if (ph.p_type == PT_TLS && info->dlpi_tls_data != nullptr) {
      uintptr_t begin = reinterpret_cast<uintptr_t>(info->dlpi_tls_data);
      ctx->ranges->push_back(Range{begin, begin + ph.p_memsz});
    }
  }
  return 0;
}

// Writable segments of every module (and this thread's TLS blocks). Collected
// before other threads stop: dl_iterate_phdr takes the loader's lock, which a
// stopped thread could be holding.
void collect_module_roots(MmapVector<Range>* ranges) {
  Dl_info self;
  dladdr(reinterpret_cast<void*>(&collect_module_segments), &self);
  SegmentCollector ctx{ranges, reinterpret_cast<uintptr_t>(self.dli_fbase)};
  dl_iterate_phdr(collect_module_segments, &ctx);
}

size_t static_tls_size() {
  using Fn = void (*)(size_t*, size_t*);
  static Fn fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info"));
  size_t size = 0, align = 0;
  if (fn != nullptr) fn(&size, &align);
  return size != 0 ? size : 4096;
}

// The used part of a stack (from just below sp, the red zone, to the top of its
// mapping) and the thread's TLS around its thread pointer.
void scan_thread(Scanner& scanner, const MemoryMap& maps, uintptr_t sp, uintptr_t tp, size_t tls_size) {
  if (const Mapping* m = maps.find(sp); m != nullptr && m->readable) {
    uintptr_t begin = sp - 128 > m->start ? sp - 128 : m->start;
    scanner.scan_root(begin, m->end);
  }
  if (tp == 0) return;
  if (const Mapping* m = maps.find(tp); m != nullptr && m->readable) {
    uintptr_t begin = tp - tls_size > m->start ? tp - tls_size : m->start;
    uintptr_t end = tp + 4096 < m->end ? tp + 4096 : m->end;
    scanner.scan_root(begin, end);
  }
}

// A thread that did not answer the stop signal: its stack pointer from
// /proc/self/task/TID/syscall when the kernel tells it (blocked in a syscall).
uintptr_t stack_pointer_from_proc(int tid) {
  InlineText<64> path;
  path.str("/proc/self/task/").dec(static_cast<uint64_t>(tid)).str("/syscall").ch('\0');
  int fd = open(path.data(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[512];
  ssize_t len = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (len <= 0) return 0;
  buf[len] = '\0';
  // "nr a1 a2 a3 a4 a5 a6 sp pc" or "-1 sp pc": sp is the second-to-last field.
  const char* fields[16];
  int count = 0;
  for (char* p = buf; *p != '\0' && count < 16;) {
    while (*p == ' ' || *p == '\n') ++p;
    if (*p == '\0') break;
    fields[count++] = p;
    while (*p != '\0' && *p != ' ' && *p != '\n') ++p;
  }
  if (count < 3) return 0;
  const char* s = fields[count - 2];
  if (s[0] != '0' || s[1] != 'x') return 0;
  uintptr_t sp = 0;
  for (s += 2; (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'); ++s)
    sp = sp * 16 + static_cast<uintptr_t>(*s <= '9' ? *s - '0' : *s - 'a' + 10);
  return sp;
}

__attribute__((noinline)) void scan_roots(Scanner& scanner, const WorldStop& world, const MmapVector<Range>& modules,
                                          size_t tls_size, uintptr_t own_stack_from, LeakResult* out) {
  for (const Range& r : const_cast<MmapVector<Range>&>(modules)) scanner.scan_root(r.begin, r.end);
  MemoryMap maps;
  for (size_t i = 0; i < world.size(); ++i) {
    const ThreadState& t = world[i];
    if (t.stopped) {
      scan_thread(scanner, maps, t.sp, t.tp, tls_size);
    } else if (uintptr_t sp = stack_pointer_from_proc(t.tid); sp != 0) {
      scan_thread(scanner, maps, sp, 0, tls_size);
      ++out->threads_not_stopped;
    } else {
      ++out->threads_not_stopped;
    }
  }
  // This thread: spill callee-saved registers onto the stack, then scan it.
  __builtin_unwind_init();
  volatile uintptr_t here = 0;
  uintptr_t from = own_stack_from != 0 ? own_stack_from + 128 : reinterpret_cast<uintptr_t>(&here);
  scan_thread(scanner, maps, from, current_thread_pointer(), tls_size);
}

}  // namespace

const char* leak_kind_name(LeakKind kind) {
  switch (kind) {
    case LeakKind::kDefinite: return "definite";
    case LeakKind::kIndirect: return "indirect";
    case LeakKind::kPossible: return "possible";
    case LeakKind::kReachable: return "reachable";
  }
  return "?";
}

bool find_leaks(LeakResult* out, uint32_t min_epoch, uintptr_t own_stack_from) {
  // Everything that takes a lock outside ours happens before other threads stop.
  size_t tls_size = static_tls_size();
  MmapVector<Range> module_roots;
  collect_module_roots(&module_roots);
  // The registry lock next: a stopped thread then cannot be holding it.
  SpanSnapshot spans;
  if (!spans.ok()) return false;
  Scanner scanner(spans);
  bool ok = true;
  {
    WorldStop world;
    ok = scanner.prepare();
    if (ok) {
      scan_roots(scanner, world, module_roots, tls_size, own_stack_from, out);
      scanner.propagate();
      scanner.find_cliques();
      scanner.aggregate(out, min_epoch);
    }
  }
  scanner.release();
  return ok;
}

}  // namespace dm
