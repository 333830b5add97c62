// Root ranges for the leak scan: the process's mappings less the tool's own.
#include "findings/leak_roots.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include "findings/kernel_held.h"
#include "heap/block.h"
#include "support/memory_map.h"
#include "support/own_memory.h"
#include "heap/registry.h"
#include "findings/root_regions.h"
#include "support/text_buffer.h"

namespace dm {

namespace {

// Below sp, a leaf function may keep data without moving sp: that matters for a
// thread interrupted anywhere (one blocked in a system call), not at a call.
constexpr uintptr_t kRedZone = 128;

struct OwnImage {
  MmapVector<RootRange>* ranges;
  uintptr_t base;  // our load address (dladdr's dli_fbase: the bias of a shared object)
};

int collect_own_segments(struct dl_phdr_info* info, size_t, void* data) {
  auto* own = static_cast<OwnImage*>(data);
  if (info->dlpi_addr != own->base) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
    own->ranges->push_back(RootRange{align_down(begin, kPageSize), align_up(begin + ph.p_memsz, kPageSize)});
  }
  return 1;
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

class RootWalker {
 public:
  RootWalker(const MemoryMap& maps, const RootSink& sink) : maps_(maps), sink_(sink) {}

  void exclude(uintptr_t begin, uintptr_t end) {
    if (end > begin) excluded_.push_back(RootRange{begin, end});
  }

  // The part of a thread's stack below `sp` (less `red_zone`) is dead. A
  // thread running on a stack inside a heap block (a fiber's) gets the live
  // part of that block as a root: blocks are otherwise read only when reached.
  void stack_at(uintptr_t sp, uintptr_t red_zone) {
    uintptr_t live = sp - red_zone;
    if (registry().lookup(sp) != nullptr) {
      BlockRef block;
      if (locate_block(sp, &block) == Locate::kFound && block.header->state() == ChunkState::kAllocated) {
        uintptr_t begin = live > block.user ? live : block.user;
        if (begin < block.user + block.size) emit(begin, block.user + block.size);
      }
      return;
    }
    // Interrupted on the alternate signal stack the library gave it (inside a
    // handler of the program's): that stack's live part is a root, though the
    // tool's memory is otherwise never read.
    if (own_memory_contains(sp)) {
      uintptr_t end = align_up(sp + 1, kGranule);
      emit(live > align_down(sp, kGranule) ? live : align_down(sp, kGranule), end);
      return;
    }
    if (const Mapping* m = maps_.find(sp)) exclude(m->start, live > m->start ? live : m->start);
  }

  void scan_mappings() {
    sort_excluded();
    for (size_t i = 0; i < maps_.size(); ++i) {
      const Mapping& m = maps_[i];
      if (!m.readable || !m.writable || m.device) continue;
      // The mapping less the excluded ranges (sorted by start; they may overlap).
      uintptr_t cursor = m.start;
      for (size_t e = first_excluded_after(m.start); e < excluded_.size() && excluded_[e].begin < m.end; ++e) {
        if (excluded_[e].begin > cursor) granules(cursor, excluded_[e].begin, m);
        if (excluded_[e].end > cursor) cursor = excluded_[e].end;
      }
      if (cursor < m.end) granules(cursor, m.end, m);
    }
  }

  // A registered region: whatever of it is mapped and readable, heap included.
  void readable_part(uintptr_t begin, uintptr_t end) {
    for (uintptr_t at = begin; at < end;) {
      const Mapping* m = maps_.find(at);
      if (m == nullptr) {  // a hole: go on at the next mapping
        size_t i = 0;
        while (i < maps_.size() && maps_[i].end <= at) ++i;
        if (i == maps_.size()) return;
        at = maps_[i].start;
        continue;
      }
      uintptr_t stop = m->end < end ? m->end : end;
      if (m->readable && !m->device) emit(at, stop);
      at = stop;
    }
  }

  void emit(uintptr_t begin, uintptr_t end) { sink_.scan(sink_.context, begin, end); }

 private:
  // [begin, end) less the granules that are the tool's heap or metadata.
  void granules(uintptr_t begin, uintptr_t end, const Mapping& m) {
    uintptr_t run = begin;
    for (uintptr_t g = align_down(begin, kGranule); g < end; g += kGranule) {
      uintptr_t skip_end = g + kGranule;
      if (!own_memory_contains(g)) {
        const ListedSpan* span = registry().lookup(g);
        if (span == nullptr) continue;
        // A large block's mapping may end inside its last granule, and the kernel may
        // place someone else's mapping (a shared object's data) in the rest of it.
        if (span->start + span->size < skip_end) skip_end = span->start + span->size;
      }
      uintptr_t stop = g > begin ? g : begin;
      if (stop > run) readable_pages(run, stop, m);
      if (skip_end > run) run = skip_end;
    }
    if (end > run) readable_pages(run, end, m);
  }

  // Small anonymous ranges are read whole; large ones and file mappings only
  // where pages are resident (untouched pages of an anonymous mapping are zero,
  // and a file page past the end of the file would fault).
  void readable_pages(uintptr_t begin, uintptr_t end, const Mapping& m) {
    if (m.anonymous && m.end - m.start <= kSparseMapping) {
      emit(begin, end);
      return;
    }
    constexpr size_t kPages = 4096;
    unsigned char resident[kPages];
    uintptr_t page = align_down(begin, kPageSize);
    while (page < end) {
      size_t pages = (align_up(end, kPageSize) - page) / kPageSize;
      if (pages > kPages) pages = kPages;
      if (mincore(reinterpret_cast<void*>(page), pages * kPageSize, resident) != 0) return;
      uintptr_t run = 0;
      for (size_t i = 0; i <= pages; ++i) {
        uintptr_t at = page + i * kPageSize;
        bool in = i < pages && (resident[i] & 1) != 0;
        if (in && run == 0) run = at;
        if (!in && run != 0) {
          uintptr_t b = run > begin ? run : begin, e = at < end ? at : end;
          if (e > b) emit(b, e);
          run = 0;
        }
      }
      page += pages * kPageSize;
    }
  }

  void sort_excluded() {  // Shell sort: no recursion, no allocation
    size_t n = excluded_.size();
    for (size_t gap = n / 2; gap > 0; gap /= 2) {
      for (size_t j = gap; j < n; ++j) {
        RootRange v = excluded_[j];
        size_t k = j;
        while (k >= gap && excluded_[k - gap].begin > v.begin) {
          excluded_[k] = excluded_[k - gap];
          k -= gap;
        }
        excluded_[k] = v;
      }
    }
  }

  // The first excluded range that may overlap an address at or after `address`.
  size_t first_excluded_after(uintptr_t address) const {
    size_t lo = 0, hi = excluded_.size();
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (excluded_[mid].begin < address)
        lo = mid + 1;
      else
        hi = mid;
    }
    // Earlier ranges may still reach past `address`.
    while (lo > 0 && excluded_[lo - 1].end > address) --lo;
    return lo;
  }

  const MemoryMap& maps_;
  const RootSink& sink_;
  MmapVector<RootRange> excluded_;
};

}  // namespace

bool RootPlan::collect() {
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&collect_own_segments), &self) == 0) return false;
  OwnImage own{&own_image_, reinterpret_cast<uintptr_t>(self.dli_fbase)};
  dl_iterate_phdr(collect_own_segments, &own);
  copy_root_regions(&registered_);
  return own_image_.size() > 0;
}

void visit_roots(const RootPlan& plan, const MemoryMap& maps, const WorldStop& world, const ScanStart& self,
                 const RootSink& sink, RootStats* stats) {
  RootWalker walker(maps, sink);
  for (const RootRange& r : const_cast<MmapVector<RootRange>&>(plan.own_image())) walker.exclude(r.begin, r.end);
  own_memory_for_each_leaf([&](uintptr_t begin, uintptr_t end) { walker.exclude(begin, end); });
  for (size_t i = 0; i < world.size(); ++i) {
    const ThreadState& t = world[i];
    // A stopped thread was interrupted anywhere: its red zone and all its
    // registers are live.
    if (t.stopped) {
      walker.stack_at(t.sp, kRedZone);
      walker.emit(reinterpret_cast<uintptr_t>(t.regs), reinterpret_cast<uintptr_t>(t.regs + 16));
      // Its alternate signal stack: the kernel holds the pointer (the tool's own points nowhere in the heap).
      walker.emit(reinterpret_cast<uintptr_t>(t.alt_stacks), reinterpret_cast<uintptr_t>(t.alt_stacks + 2));
      continue;
    }
    ++stats->threads_not_stopped;
    if (uintptr_t sp = stack_pointer_from_proc(t.tid)) walker.stack_at(sp, kRedZone);  // else: its whole stack
  }
  volatile uintptr_t here = 0;
  walker.stack_at(self.sp != 0 ? self.sp : reinterpret_cast<uintptr_t>(&here), 0);
  walker.emit(reinterpret_cast<uintptr_t>(self.regs), reinterpret_cast<uintptr_t>(self.regs + 6));
  uintptr_t own_alt_stacks[2];
  thread_stop_signal_stacks(own_alt_stacks);
  walker.emit(reinterpret_cast<uintptr_t>(own_alt_stacks), reinterpret_cast<uintptr_t>(own_alt_stacks + 2));
  // Values the program handed to the kernel (epoll data, timers' sigev_value).
  kernel_held_for_each(
      [](void* w, const uint64_t* value) {
        auto at = reinterpret_cast<uintptr_t>(value);
        static_cast<RootWalker*>(w)->emit(at, at + sizeof *value);
      },
      &walker);
  walker.emit(reinterpret_cast<uintptr_t>(&g_thread_handoffs[0]),
              reinterpret_cast<uintptr_t>(&g_thread_handoffs[kThreadHandoffs]));
  walker.scan_mappings();
  for (const RootRange& r : const_cast<MmapVector<RootRange>&>(plan.registered())) walker.readable_part(r.begin, r.end);
}

}  // namespace dm
