// Cached CFI unwinding: module lookup, rule cache, frame walk.
#include "stacks/fast_unwind.h"

#include <link.h>

#include <atomic>
#include <cstring>

#include "stacks/cfi.h"
#include "stacks/loader.h"
#include "support/mutex.h"
#include "support/platform.h"

namespace dm {

namespace {

// ---- which module holds an address, and where its .eh_frame_hdr is ----

struct UnwindModule {
  uintptr_t lo, hi, eh_frame_hdr;
};

struct ModuleList {
  size_t count;
  unsigned long long adds, subs;  // dl_iterate_phdr's load/unload counters when built
  UnwindModule modules[1];        // sorted by lo
};

constinit std::atomic<ModuleList*> g_modules{nullptr};  // old lists are never freed (readers may hold them)
constinit Mutex g_modules_mu;

struct Collect {
  UnwindModule* out;
  size_t cap, count;
  unsigned long long adds, subs;
};

int collect(struct dl_phdr_info* info, size_t size, void* data) {
  auto* c = static_cast<Collect*>(data);
  if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) {
    c->adds = info->dlpi_adds;
    c->subs = info->dlpi_subs;
  }
  uintptr_t lo = ~uintptr_t{0}, hi = 0, hdr = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) != 0) {
      uintptr_t b = info->dlpi_addr + ph.p_vaddr;
      if (b < lo) lo = b;
      if (b + ph.p_memsz > hi) hi = b + ph.p_memsz;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      hdr = info->dlpi_addr + ph.p_vaddr;
    }
  }
  if (hi > lo && c->count < c->cap) c->out[c->count++] = UnwindModule{lo, hi, hdr};
  return 0;
}

int read_counters(struct dl_phdr_info* info, size_t size, void* data) {
  auto* c = static_cast<Collect*>(data);
  if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) {
    c->adds = info->dlpi_adds;
    c->subs = info->dlpi_subs;
  }
  return 1;  // the counters are the same in every entry: stop at the first
}

void rebuild_modules() {
  ScopedLock lock(g_modules_mu);
  ModuleList* old = g_modules.load(std::memory_order_acquire);
  Collect probe{nullptr, 0, 0, 0, 0};
  dl_iterate_phdr(read_counters, &probe);
  if (old != nullptr && old->adds == probe.adds && old->subs == probe.subs) return;  // nothing new
  size_t cap = 1024;
  size_t bytes = align_up(sizeof(ModuleList) + cap * sizeof(UnwindModule), kPageSize);
  auto* list = static_cast<ModuleList*>(os_map(bytes));
  if (list == nullptr) return;
  Collect c{list->modules, cap, 0, 0, 0};
  dl_iterate_phdr(collect, &c);
  for (size_t i = 1; i < c.count; ++i)  // insertion sort by address
    for (size_t j = i; j > 0 && c.out[j].lo < c.out[j - 1].lo; --j) {
      UnwindModule t = c.out[j];
      c.out[j] = c.out[j - 1];
      c.out[j - 1] = t;
    }
  list->count = c.count;
  list->adds = c.adds;
  list->subs = c.subs;
  g_modules.store(list, std::memory_order_release);
}

uintptr_t eh_frame_hdr_for(uintptr_t ip, bool may_rebuild) {
  ModuleList* list = g_modules.load(std::memory_order_acquire);
  if (list != nullptr) {
    size_t lo = 0, hi = list->count;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (list->modules[mid].hi <= ip)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo < list->count && list->modules[lo].lo <= ip) return list->modules[lo].eh_frame_hdr;
  }
  if (!may_rebuild) return 0;
  rebuild_modules();
  return eh_frame_hdr_for(ip, false);
}

// ---- rules cached per return address ----

constexpr size_t kCacheSize = size_t{1} << 16;

struct CacheEntry {
  std::atomic<uint64_t> ip;
  std::atomic<uint64_t> packed;
  std::atomic<uint64_t> check;
};
constinit CacheEntry* g_cache = nullptr;  // mapped on first use
constinit Mutex g_cache_mu;
constinit std::atomic<uint64_t> g_generation{1};

uint64_t pack(const UnwindRule& r) {
  return static_cast<uint64_t>(r.kind) | (static_cast<uint64_t>(r.cfa_from_rbp) << 2) |
         (static_cast<uint64_t>(r.rbp_saved) << 3) | (static_cast<uint64_t>(static_cast<uint32_t>(r.cfa_offset)) << 4) |
         (static_cast<uint64_t>(static_cast<uint16_t>(r.rbp_offset)) << 36);
}

UnwindRule unpack(uint64_t v) {
  UnwindRule r;
  r.kind = static_cast<uint8_t>(v & 3);
  r.cfa_from_rbp = (v >> 2) & 1;
  r.rbp_saved = (v >> 3) & 1;
  r.cfa_offset = static_cast<int32_t>(static_cast<uint32_t>(v >> 4));
  r.rbp_offset = static_cast<int16_t>(static_cast<uint16_t>(v >> 36));
  return r;
}

uint64_t check_of(uint64_t ip, uint64_t packed, uint64_t generation) {
  return (ip * 0x9E3779B97F4A7C15ull) ^ (packed * 0xC2B2AE3D27D4EB4Full) ^ generation;
}

CacheEntry* cache() {
  CacheEntry* c = g_cache;
  if (DM_LIKELY(c != nullptr)) return c;
  ScopedLock lock(g_cache_mu);
  if (g_cache == nullptr) g_cache = static_cast<CacheEntry*>(os_map(kCacheSize * sizeof(CacheEntry)));
  return g_cache;
}

DM_NOINLINE UnwindRule compute_rule(uintptr_t ip) {
  UnwindRule r;
  uintptr_t hdr = eh_frame_hdr_for(ip - 1, true);
  if (hdr != 0) r = rule_for(ip, hdr);
  if (r.kind == UnwindRule::kFrame && static_cast<int16_t>(r.rbp_offset) != r.rbp_offset) r = UnwindRule{};
  // The loader's start-up code (_dl_start_user, which calls the constructors) has
  // no call frame information: the stack ends there, as it would in libunwind,
  // without the cost of starting libunwind in every process.
  if (r.kind == UnwindRule::kNone && g_loader_code.contains(ip - 1)) r.kind = UnwindRule::kOutermost;
  return r;
}

DM_ALWAYS_INLINE UnwindRule rule_at(uintptr_t ip, CacheEntry* table) {
  uint64_t generation = g_generation.load(std::memory_order_relaxed);
  CacheEntry& e = table[(ip * 0x9E3779B97F4A7C15ull) >> (64 - 16)];
  uint64_t packed = e.packed.load(std::memory_order_relaxed);
  if (e.ip.load(std::memory_order_relaxed) == ip &&
      e.check.load(std::memory_order_acquire) == check_of(ip, packed, generation))
    return unpack(packed);
  UnwindRule r = compute_rule(ip);
  packed = pack(r);
  e.check.store(0, std::memory_order_relaxed);
  e.ip.store(ip, std::memory_order_relaxed);
  e.packed.store(packed, std::memory_order_relaxed);
  e.check.store(check_of(ip, packed, generation), std::memory_order_release);
  return r;
}

// A small per-thread cache in front of the shared table: hot call sites stay
// in L1, already unpacked, with no atomics and no check arithmetic.
constexpr size_t kThreadCacheSize = 1024;
struct LocalRule {
  uint64_t ip;
  int32_t cfa_offset;
  int16_t rbp_offset;
  uint8_t kind;
  uint8_t flags;  // kFromRbp | kRbpSaved
};
static_assert(sizeof(LocalRule) == 16, "four rules per cache line");
enum : uint8_t { kFromRbp = 1, kRbpSaved = 2 };

struct ThreadRuleCache {
  uint64_t generation;
  LocalRule entries[kThreadCacheSize];
};
__thread ThreadRuleCache* t_rules __attribute__((tls_model("initial-exec"))) = nullptr;

DM_NOINLINE ThreadRuleCache* thread_rules_slow() {
  auto* c = static_cast<ThreadRuleCache*>(os_map(align_up(sizeof(ThreadRuleCache), kPageSize)));
  t_rules = c;
  return c;
}

DM_NOINLINE void fill_local(LocalRule& e, uintptr_t ip, CacheEntry* table) {
  UnwindRule r = rule_at(ip, table);
  e.ip = ip;
  e.cfa_offset = r.cfa_offset;
  e.rbp_offset = static_cast<int16_t>(r.rbp_offset);
  e.kind = r.kind;
  e.flags = static_cast<uint8_t>((r.cfa_from_rbp ? kFromRbp : 0) | (r.rbp_saved ? kRbpSaved : 0));
}

}  // namespace

void fast_unwind_thread_exit() {
  if (t_rules != nullptr) os_unmap(t_rules, align_up(sizeof(ThreadRuleCache), kPageSize));
  t_rules = nullptr;
}

int fast_unwind(const CallerFrame& start, uintptr_t* frames, uint32_t max, WalkReads* reads) {
  CacheEntry* table = cache();
  if (table == nullptr) return -1;
  ThreadRuleCache* local = t_rules != nullptr ? t_rules : thread_rules_slow();
  if (local == nullptr) return -1;
  uint64_t generation = g_generation.load(std::memory_order_relaxed);
  if (DM_UNLIKELY(local->generation != generation)) {  // a library was unloaded: start afresh
    memset(local->entries, 0, sizeof local->entries);
    local->generation = generation;
  }
  constexpr uintptr_t kMaxFrameBytes = 1 << 20;
  uintptr_t ip = start.ip, sp = start.sp, rbp = start.rbp;
  bool rbp_is_start = true;
  uint32_t n = 0;
  while (n < max) {
    frames[n++] = ip;
    LocalRule& e = local->entries[(ip ^ (ip >> 9)) & (kThreadCacheSize - 1)];
    if (DM_UNLIKELY(e.ip != ip)) fill_local(e, ip, table);
    if (DM_UNLIKELY(e.kind != UnwindRule::kFrame)) {
      if (e.kind == UnwindRule::kOutermost) break;
      return -1;
    }
    if ((e.flags & kFromRbp) != 0 && rbp_is_start && reads != nullptr) reads->start_rbp_used = true;
    uintptr_t cfa = ((e.flags & kFromRbp) != 0 ? rbp : sp) + static_cast<intptr_t>(e.cfa_offset);
    if (DM_UNLIKELY(cfa - sp - 1 >= kMaxFrameBytes || (cfa & 7) != 0)) return -1;  // also catches cfa <= sp
    if ((e.flags & kRbpSaved) != 0) {
      rbp = *reinterpret_cast<const uintptr_t*>(cfa + e.rbp_offset);
      rbp_is_start = false;
      if (reads != nullptr) {
        reads->address[reads->count] = cfa + e.rbp_offset;
        reads->value[reads->count++] = rbp;
      }
    }
    ip = *reinterpret_cast<const uintptr_t*>(cfa - 8);
    if (reads != nullptr) {
      reads->address[reads->count] = cfa - 8;
      reads->value[reads->count++] = ip;
    }
    sp = cfa;
    if (ip < 4096) break;  // the end of the chain
  }
  return static_cast<int>(n);
}

void fast_unwind_forget_all() {
  g_generation.fetch_add(1, std::memory_order_relaxed);
  rebuild_modules();
}

}  // namespace dm
