// The page-guard reservation, its slot FIFO, the sampling countdown, the call
// sites that get guard pages, and the kernel mapping budget.
#include "heap/page_guard.h"

#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <new>

#include "heap/registry.h"
#include "stacks/stack_depot.h"
#include "support/mutex.h"
#include "support/options.h"
#include "support/text_buffer.h"

namespace dm {

__thread int64_t t_guard_countdown __attribute__((tls_model("initial-exec"))) = 0;

namespace {

// Slots of the reservation: in all and site modes, 16 GiB of address space
// (262,144 slots: freed addresses stay unused that long); in sample mode, the
// pool of 1024 slots.
constexpr size_t kAllSlots = size_t{16} << (30 - kGranuleShift);
constexpr size_t kSampleSlots = 1024;
constexpr size_t kMaxPagesPerSlot = kGranule / kPageSize - 1;  // one page at least stays inaccessible

constinit GuardMode g_mode = GuardMode::kOff;
constinit bool g_left = false;
constinit size_t g_max_size = 0;
constinit uint64_t g_sample_rate = 0;

// The mapping budget: splits caused by page guards, and their limit (half of vm.max_map_count).
constinit std::atomic<uint64_t> g_mappings{0};
constinit uint64_t g_mapping_limit = 32765;
constinit uint64_t g_max_map_count = 65530;
constinit std::atomic<bool> g_warned_limit{false};
constinit std::atomic<uint64_t> g_degraded{0};

// The reservation, made on first use under g_mu.
constinit Mutex g_mu;
constinit std::atomic<uintptr_t> g_base{0};
constinit size_t g_slots = 0;
constinit LargeMeta* g_metas = nullptr;  // one per slot, zero (never used) until first handed out
constinit uint32_t* g_fifo = nullptr;    // freed slots, oldest first (a ring of g_slots entries)
constinit size_t g_fifo_head = 0;
constinit size_t g_fifo_count = 0;
constinit size_t g_bump = 0;  // slots [0, g_bump) were handed out at least once
constinit uint64_t g_live = 0;
constinit uint64_t g_taken = 0;
constinit bool g_reservation_failed = false;

// Call sites: an open-addressing set of return addresses, lock-free (insert by compare-exchange).
constexpr size_t kSiteSlots = 4096;
constinit std::atomic<uintptr_t> g_sites[kSiteSlots] = {};
constinit std::atomic<size_t> g_site_count{0};

__thread bool t_sampling_started __attribute__((tls_model("initial-exec"))) = false;
__thread uint64_t t_random __attribute__((tls_model("initial-exec"))) = 0;

uint64_t next_random() {
  if (t_random == 0) {
    uint64_t seed = __builtin_ia32_rdtsc() ^ (static_cast<uint64_t>(os_gettid()) << 32) ^ 0x9E3779B97F4A7C15ull;
    t_random = seed | 1;
  }
  // xorshift64*
  t_random ^= t_random >> 12;
  t_random ^= t_random << 25;
  t_random ^= t_random >> 27;
  return t_random * 0x2545F4914F6CDD1Dull;
}

// A count averaging sample_rate: uniform in [0, 2 * rate - 2], so that the
// allocation after it (one in `rate` on average) is sampled.
int64_t sample_countdown() {
  uint64_t rate = g_sample_rate == 0 ? 1 : g_sample_rate;
  return static_cast<int64_t>(next_random() % (2 * rate - 1));
}

uint64_t read_max_map_count() {
  int fd = open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 65530;
  char buf[32] = {};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  uint64_t v = 0;
  for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) v = v * 10 + static_cast<uint64_t>(buf[i] - '0');
  return v != 0 ? v : 65530;
}

void warn_once(const char* what) {
  if (g_warned_limit.exchange(true, std::memory_order_relaxed)) return;
  InlineText<640> line;
  line.str("debugmalloc: guard_pages: ").str(what);
  line.str("; from now on blocks that would get guard pages get guard bytes only (they are checked when freed)");
  line.str(". To give more blocks guard pages, raise the kernel's limit of mappings per process (now ")
      .dec(g_max_map_count)
      .str("), e.g. sudo sysctl -w vm.max_map_count=")
      .dec(g_max_map_count < 262144 ? 1048576 : g_max_map_count * 4)
      .str("\n");
  os_write_all(2, line.data(), line.size());
}

size_t slot_count() { return g_mode == GuardMode::kSample ? kSampleSlots : kAllSlots; }

// Reserves the slots' address space (inaccessible), the slot records and the FIFO; g_mu held.
bool reserve_locked() {
  if (g_base.load(std::memory_order_relaxed) != 0) return true;
  if (g_reservation_failed) return false;
  size_t slots = slot_count();
  size_t bytes = slots * kGranule;
  void* raw = mmap(nullptr, bytes + kGranule, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  auto* metas = raw == MAP_FAILED ? nullptr : static_cast<LargeMeta*>(os_map(slots * sizeof(LargeMeta)));
  auto* fifo = metas == nullptr ? nullptr : static_cast<uint32_t*>(os_map(slots * sizeof(uint32_t)));
  if (fifo == nullptr) {
    if (metas != nullptr) os_unmap(metas, slots * sizeof(LargeMeta));
    if (raw != MAP_FAILED) munmap(raw, bytes + kGranule);
    g_reservation_failed = true;
    return false;
  }
  uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  uintptr_t base = align_up(start, kGranule);
  if (base > start) munmap(raw, base - start);
  if (start + kGranule > base) munmap(reinterpret_cast<void*>(base + bytes), start + kGranule - base);
  g_slots = slots;
  g_metas = metas;
  g_fifo = fifo;
  g_base.store(base, std::memory_order_release);
  return true;
}

void give_back_index(uint32_t index) {
  ScopedLock lock(g_mu);
  g_fifo[(g_fifo_head + g_fifo_count) % g_slots] = index;
  ++g_fifo_count;
  --g_live;
}

}  // namespace

void page_guard_init() {
  const char* mode = g_options.guard_pages;
  g_mode = strcmp(mode, "all") == 0    ? GuardMode::kAll
           : strcmp(mode, "site") == 0 ? GuardMode::kSite
           : strcmp(mode, "off") == 0  ? GuardMode::kOff
                                       : GuardMode::kSample;
  g_left = strcmp(g_options.guard_pages_align, "left") == 0;
  size_t max = g_options.guard_pages_max_size;
  g_max_size = max < kMaxPagesPerSlot * kPageSize ? max : kMaxPagesPerSlot * kPageSize;
  g_sample_rate = g_options.sample_rate;
  if (g_mode == GuardMode::kSample && g_sample_rate == 0) g_mode = GuardMode::kOff;
  g_max_map_count = read_max_map_count();
  g_mapping_limit = g_max_map_count / 2;
}

GuardMode page_guard_mode() { return g_mode; }
bool page_guard_left_aligned() { return g_left; }

bool mapping_budget_take(uint32_t n) {
  uint64_t now = g_mappings.fetch_add(n, std::memory_order_relaxed);
  if (now + n <= g_mapping_limit) return true;
  g_mappings.fetch_sub(n, std::memory_order_relaxed);
  return false;
}

void mapping_budget_give(uint32_t n) { g_mappings.fetch_sub(n, std::memory_order_relaxed); }

bool page_guard_wanted(size_t size, size_t align, uintptr_t caller_ip) {
  bool fits = size <= g_max_size && align <= kPageSize;
  switch (g_mode) {
    case GuardMode::kOff:
      t_guard_countdown = INT64_MAX;
      return false;
    case GuardMode::kAll:
      t_guard_countdown = 0;
      return fits;
    case GuardMode::kSite:
      t_guard_countdown = 0;
      return fits && g_site_count.load(std::memory_order_relaxed) != 0 && page_guard_has_site(caller_ip);
    case GuardMode::kSample:
      break;
  }
  t_guard_countdown = sample_countdown();
  if (!t_sampling_started) {  // the thread's first countdown starts now, at a random point
    t_sampling_started = true;
    return false;
  }
  return fits;
}

LargeMeta* page_guard_take(size_t size, size_t align) {
  if (size > g_max_size || align > kPageSize) return nullptr;
  bool quiet = g_mode == GuardMode::kSample;  // a full sample pool is normal: no warning
  if (!mapping_budget_take(2)) {
    g_degraded.fetch_add(1, std::memory_order_relaxed);
    if (!quiet) warn_once("the blocks that have guard pages use half of vm.max_map_count");
    return nullptr;
  }
  uint32_t index = 0;
  {
    ScopedLock lock(g_mu);
    bool have = reserve_locked();
    if (have && g_bump < g_slots) {
      index = static_cast<uint32_t>(g_bump++);
    } else if (have && g_fifo_count != 0) {
      index = g_fifo[g_fifo_head];
      g_fifo_head = (g_fifo_head + 1) % g_slots;
      --g_fifo_count;
    } else {
      have = false;
    }
    if (!have) {
      mapping_budget_give(2);
      g_degraded.fetch_add(1, std::memory_order_relaxed);
      if (!quiet) warn_once("every slot of the page-guard reservation (16 GiB of address space) holds a live block");
      return nullptr;
    }
    ++g_live;
    ++g_taken;
  }
  LargeMeta* m = &g_metas[index];
  uintptr_t slot = g_base.load(std::memory_order_relaxed) + static_cast<uintptr_t>(index) * kGranule;
  if (m->start == 0) {  // first use: a span of its own in the registry
    new (m) LargeMeta();
    m->kind = ZoneKind::kLarge;
    m->start = slot;
    m->size = kGranule;
    m->page_guarded = true;
    if (!registry().add(m)) {
      m->start = 0;
      mapping_budget_give(2);
      give_back_index(index);
      return nullptr;
    }
  }
  size_t pages = size == 0 ? 1 : (size + kPageSize - 1) / kPageSize;
  size_t bytes = pages * kPageSize;
  if (g_left) {
    m->guard_front = static_cast<uint32_t>(kPageSize);
    m->guard_rear = static_cast<uint32_t>(kGranule - kPageSize - bytes);
  } else {
    m->guard_front = static_cast<uint32_t>(kGranule - kPageSize - bytes);
    m->guard_rear = static_cast<uint32_t>(kPageSize);
  }
  if (mprotect(reinterpret_cast<void*>(large_access_begin(*m)), bytes, PROT_READ | PROT_WRITE) != 0) {
    mapping_budget_give(2);
    give_back_index(index);
    g_degraded.fetch_add(1, std::memory_order_relaxed);
    if (!quiet) warn_once("the kernel refused to change the protection of a page (out of mappings)");
    return nullptr;
  }
  m->fresh = true;  // never written, or replaced by fresh pages when it was last freed
  return m;
}

void page_guard_retire(LargeMeta* m) {
  void* begin = reinterpret_cast<void*>(large_access_begin(*m));
  size_t bytes = large_access_end(*m) - large_access_begin(*m);
  // Fresh inaccessible pages in place of the block's: its memory goes back to
  // the system, any access faults, and the mapping merges with its neighbours.
  if (mmap(begin, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED) {
    madvise(begin, bytes, MADV_DONTNEED);
    mprotect(begin, bytes, PROT_NONE);
  }
  mapping_budget_give(2);
  give_back_index(static_cast<uint32_t>((m->start - g_base.load(std::memory_order_relaxed)) / kGranule));
}

bool page_guard_contains(uintptr_t address) {
  uintptr_t base = g_base.load(std::memory_order_acquire);
  return base != 0 && address - base < g_slots * kGranule;
}

LargeMeta* page_guard_slot_at(uintptr_t address) {
  if (!page_guard_contains(address)) return nullptr;
  LargeMeta* m = &g_metas[(address - g_base.load(std::memory_order_relaxed)) / kGranule];
  return m->start != 0 ? m : nullptr;
}

void page_guard_add_site(uintptr_t ip) {
  if (ip == 0) return;
  size_t h = static_cast<size_t>((ip * 0x9E3779B97F4A7C15ull) >> 52) & (kSiteSlots - 1);
  for (size_t i = 0; i < kSiteSlots; ++i) {
    std::atomic<uintptr_t>& slot = g_sites[(h + i) & (kSiteSlots - 1)];
    uintptr_t seen = slot.load(std::memory_order_relaxed);
    if (seen == ip) return;
    if (seen != 0) continue;
    if (slot.compare_exchange_strong(seen, ip, std::memory_order_relaxed)) {
      g_site_count.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (seen == ip) return;
  }
}

bool page_guard_has_site(uintptr_t ip) {
  size_t h = static_cast<size_t>((ip * 0x9E3779B97F4A7C15ull) >> 52) & (kSiteSlots - 1);
  for (size_t i = 0; i < kSiteSlots; ++i) {
    uintptr_t seen = g_sites[(h + i) & (kSiteSlots - 1)].load(std::memory_order_relaxed);
    if (seen == ip) return true;
    if (seen == 0) return false;
  }
  return false;
}

void page_guard_note_error_site(uint32_t alloc_stack) {
  if (g_mode != GuardMode::kSite || alloc_stack == 0) return;
  uint32_t depth = 0;
  const uintptr_t* frames = depot_get(alloc_stack, &depth);
  if (frames != nullptr && depth != 0) page_guard_add_site(frames[0]);
}

namespace {

const char* base_name(const char* path) {
  const char* slash = strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}

struct SiteLookup {
  const char* module;  // as written in the file (NUL-terminated)
  char exe[4096];      // this program's path, for the main executable's entry (its dlpi_name is "")
  uintptr_t base;
  bool found;
};

// The load bias of the module named `module`: the same path, or failing that the same file name.
int find_module(struct dl_phdr_info* info, size_t, void* data) {
  auto* s = static_cast<SiteLookup*>(data);
  const char* name = info->dlpi_name != nullptr && info->dlpi_name[0] != '\0' ? info->dlpi_name : s->exe;
  if (name[0] == '\0') return 0;
  if (strcmp(name, s->module) == 0) {
    s->base = info->dlpi_addr;
    s->found = true;
    return 1;  // exact: stop
  }
  if (!s->found && strcmp(base_name(name), base_name(s->module)) == 0) {
    s->base = info->dlpi_addr;
    s->found = true;
  }
  return 0;
}

void warn_site(const char* line, size_t length, const char* why) {
  InlineText<512> text;
  text.str("debugmalloc: guard_sites: ").str(why).str(": '").bytes(line, length < 200 ? length : 200).str("'\n");
  os_write_all(2, text.data(), text.size());
}

// One line: MODULE+0xOFFSET. Returns the site's address, or 0 (warned).
uintptr_t parse_site(char* line, size_t length, SiteLookup* lookup) {
  char* plus = nullptr;
  for (size_t i = 0; i < length; ++i)
    if (line[i] == '+') plus = line + i;  // the last '+': a path may hold one
  if (plus == nullptr || plus == line || plus[1] != '0' || (plus[2] != 'x' && plus[2] != 'X')) {
    warn_site(line, length, "not MODULE+0xOFFSET");
    return 0;
  }
  uintptr_t offset = 0;
  const char* p = plus + 3;
  const char* end = line + length;
  if (p == end) {
    warn_site(line, length, "no offset");
    return 0;
  }
  for (; p < end; ++p) {
    char c = *p;
    unsigned digit = c >= '0' && c <= '9' ? static_cast<unsigned>(c - '0')
                     : c >= 'a' && c <= 'f' ? static_cast<unsigned>(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? static_cast<unsigned>(c - 'A' + 10)
                                            : 16;
    if (digit == 16) {
      warn_site(line, length, "not a hexadecimal offset");
      return 0;
    }
    offset = offset * 16 + digit;
  }
  *plus = '\0';
  lookup->module = line;
  lookup->found = false;
  dl_iterate_phdr(find_module, lookup);
  *plus = '+';
  if (!lookup->found) {
    warn_site(line, length, "no such module loaded at start-up");
    return 0;
  }
  return lookup->base + offset;
}

}  // namespace

void page_guard_load_sites() {
  const char* path = g_options.guard_sites;
  if (path == nullptr || path[0] == '\0') return;
  if (g_mode != GuardMode::kSite) {
    static const char msg[] = "debugmalloc: guard_sites is used only with guard_pages=site\n";
    os_write_all(2, msg, sizeof msg - 1);
    return;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    InlineText<4300> text;
    text.str("debugmalloc: guard_sites: cannot read '").str(path).str("'\n");
    os_write_all(2, text.data(), text.size());
    return;
  }
  constexpr size_t kMax = 1 << 20;
  char* text = static_cast<char*>(os_map(kMax));
  auto* lookup = static_cast<SiteLookup*>(os_map(sizeof(SiteLookup)));
  size_t length = 0;
  if (text != nullptr && lookup != nullptr) {
    for (ssize_t n; length < kMax && (n = read(fd, text + length, kMax - length)) > 0;) length += static_cast<size_t>(n);
    ssize_t exe = readlink("/proc/self/exe", lookup->exe, sizeof lookup->exe - 1);
    lookup->exe[exe > 0 ? exe : 0] = '\0';
    for (size_t at = 0; at < length;) {
      size_t end = at;
      while (end < length && text[end] != '\n') ++end;
      size_t stop = at;
      while (stop < end && text[stop] != '#') ++stop;  // comments
      size_t first = at, last = stop;
      while (first < last && (text[first] == ' ' || text[first] == '\t' || text[first] == '\r')) ++first;
      while (last > first && (text[last - 1] == ' ' || text[last - 1] == '\t' || text[last - 1] == '\r')) --last;
      if (last > first)
        if (uintptr_t site = parse_site(text + first, last - first, lookup)) page_guard_add_site(site);
      at = end + 1;
    }
  }
  if (lookup != nullptr) os_unmap(lookup, sizeof(SiteLookup));
  if (text != nullptr) os_unmap(text, kMax);
  close(fd);
}

PageGuardStats page_guard_stats() {
  PageGuardStats s;
  ScopedLock lock(g_mu);
  s.taken = g_taken;
  s.live = g_live;
  s.slots_used = g_bump;
  s.degraded = g_degraded.load(std::memory_order_relaxed);
  s.mappings = g_mappings.load(std::memory_order_relaxed);
  s.mapping_limit = g_mapping_limit;
  return s;
}

void page_guard_print_stats() {
  if (g_mode == GuardMode::kOff) return;
  PageGuardStats s = page_guard_stats();
  InlineText<320> line;
  line.str("debugmalloc: guard_pages: ")
      .dec(s.taken)
      .str(" blocks got guard pages (")
      .dec(s.live)
      .str(" live now, ")
      .dec(s.slots_used)
      .str(" slots used), ")
      .dec(s.degraded)
      .str(" got guard bytes only; mappings counted ")
      .dec(s.mappings)
      .str(" of ")
      .dec(s.mapping_limit)
      .str("\n");
  os_write_all(2, line.data(), line.size());
}

void page_guard_lock() { g_mu.lock(); }
void page_guard_unlock() { g_mu.unlock(); }
void page_guard_reset_after_fork() { g_mu.reset_after_fork(); }

}  // namespace dm
