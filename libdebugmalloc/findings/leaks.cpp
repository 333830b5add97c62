// The leak scan: mark from the roots, classify the unreached blocks from the
// shape of their graph (lost_graph.h), then aggregate by (kind, allocation stack).
#include "findings/leaks.h"

#include <time.h>

#include "heap/block.h"
#include "findings/errors.h"
#include "findings/heap_check.h"
#include "findings/kernel_held.h"
#include "heap/heap_walk.h"
#include "findings/leak_roots.h"
#include "findings/lost_graph.h"
#include "support/check.h"
#include "support/options.h"
#include "support/text_buffer.h"

namespace dm {

constinit std::atomic<uint32_t> g_heap_epoch{1};
__thread int t_leaks_disabled __attribute__((tls_model("initial-exec"))) = 0;

namespace {

// Per-block marks during a scan. Only ever upgraded: unreached -> possible -> reachable.
enum Mark : uint8_t { kNotLive = 0, kUnreached, kPossible, kReachable, kIndirect, kDefinite };

struct Target {
  uint8_t* mark;
  uint32_t* lost;  // the block's node number + 1 in the lost graph (0: not lost); during classification only
  uintptr_t user;
  size_t size;
  const ChunkHeader* header;
};

enum class PointsTo { kNothing, kStart, kInterior };

// The bytes operator new[] keeps before the elements of a type with a
// destructor (the element count, padded to the alignment); 0 for other blocks.
size_t array_cookie_size(const ChunkHeader& header) {
  switch (header.origin()) {
    case AllocOrigin::kNewArray:
      return sizeof(size_t);
    case AllocOrigin::kNewArrayAligned:
      return size_t{1} << header.align_log2();
    default:
      return 0;
  }
}

struct Leader {
  uintptr_t user;
  uint64_t indirect_bytes;
  uint64_t indirect_blocks;
};

// Tagged pointers (lock-free structures' ABA tags, Intel LAM, Arm TBI): a word
// whose top 16 bits are set counts by its low 48 bits. User addresses on
// x86-64 have those bits clear, so masking every word changes nothing for a
// plain pointer; it costs one AND per word, and the loop without it serves
// tagged_pointers=0.
constexpr uintptr_t kAddressMask = (uintptr_t{1} << 48) - 1;
// Deferred masked words (Scanner::tagged_) keep here whether the block they
// were read from was reachable (an address has the bit clear).
constexpr uintptr_t kFromReachable = uintptr_t{1} << 63;

class Scanner {
 public:
  Scanner(SpanSnapshot& spans, bool tagged_pointers)
      : spans_(spans), tag_rule_(tagged_pointers) {}

  bool prepare();
  void release();
  void scan_root(uintptr_t begin, uintptr_t end) { scan_words(begin, end, kReachable); }
  void propagate();
  // After propagate(): applies the masked words that the plain marking set
  // aside, then propagates again. What is reached from then on is reached only
  // through a tag: counted (tag_only_blocks) for the scan's statistics.
  void follow_tagged();
  uint64_t tag_only_blocks() const { return reached_ - reached_before_tags_; }
  uint64_t tag_upgraded_blocks() const { return upgraded_ - upgraded_before_tags_; }
  bool classify_lost();
  void aggregate(LeakResult* out, uint32_t min_epoch);

  // The lost graph (lost_graph.h): nodes are the unreached blocks in address order.
  uint32_t node_count() const { return static_cast<uint32_t>(lost_.size()); }
  bool next_edge(uint32_t v, uintptr_t* cursor, uint32_t* w);

 private:
  uint8_t root_or_unreached(uintptr_t user, const ChunkHeader& header);
  PointsTo resolve(uintptr_t word, Target* t) const;
  void scan_words(uintptr_t begin, uintptr_t end, uint8_t from) {
    if (tag_rule_)
      scan_words<true>(begin, end, from);
    else
      scan_words<false>(begin, end, from);
  }
  template <bool kTagged>
  void scan_words(uintptr_t begin, uintptr_t end, uint8_t from);
  template <bool kTagged>
  void heap_word(uintptr_t offset, const uintptr_t* w, uint8_t from);
  void mark_block(const Target& t, PointsTo to, uint8_t from);
  bool defer_tagged(uintptr_t address, uint8_t from);
  template <typename Fn>
  void for_each_live(Fn&& fn);
  bool number_lost();
  void add(LeakResult* out, LeakKind kind, StackId stack, uint64_t bytes, uint64_t ind_bytes, uint64_t ind_blocks);

  SpanSnapshot& spans_;  // its readability is known (find_unreadable)
  uintptr_t heap_lo_ = 0, heap_hi_ = 0;
  uintptr_t heap_span_ = 0;           // heap_hi_ - heap_lo_: one compare tells a heap address
  bool tag_rule_;                     // the tagged_pointers option
  bool deferring_ = true;             // masked words go to tagged_ (until follow_tagged)
  MmapVector<uintptr_t> tagged_;      // their addresses, | kFromReachable
  uint64_t reached_ = 0, upgraded_ = 0;  // marks unreached -> reached, possible -> reachable
  uint64_t reached_before_tags_ = 0, upgraded_before_tags_ = 0;
  MmapVector<uintptr_t> work_;        // blocks to scan (their user pointers)
  MmapVector<Target> lost_;           // unreached blocks in address order: the lost graph's nodes
  MmapVector<Leader> leaders_;        // definite blocks in address order
  MmapVector<uint32_t> group_index_;  // open-addressing table: group number + 1
  uint8_t* all_marks_ = nullptr;      // every zone's marks, one slice per zone
  uint32_t* all_lost_ = nullptr;      // every zone's node numbers (fresh mappings read as 0)
  size_t marks_bytes_ = 0, lost_bytes_ = 0;
};

bool Scanner::prepare() {
  if (spans_.size() == 0) return true;
  // One array of marks and one of node numbers for all zones (a mapping per
  // zone cost thousands of system calls on a big heap).
  size_t slots = 0;
  for (size_t i = 0; i < spans_.size(); ++i)
    if (spans_[i]->kind != ZoneKind::kLarge) slots += static_cast<ZoneMeta*>(spans_[i])->bump;
  if (slots != 0) {
    marks_bytes_ = slots;
    lost_bytes_ = slots * sizeof(uint32_t);
    all_marks_ = static_cast<uint8_t*>(os_map(marks_bytes_));
    all_lost_ = static_cast<uint32_t*>(os_map(lost_bytes_));
    if (all_marks_ == nullptr || all_lost_ == nullptr) return false;
  }
  size_t next_slot = 0;
  heap_lo_ = spans_[0]->start;
  for (size_t i = 0; i < spans_.size(); ++i) {
    ListedSpan* span = spans_[i];
    if (span->start + span->size > heap_hi_) heap_hi_ = span->start + span->size;
    // Blocks in memory the program made unreadable are left out (kNotLive): not read, not reported.
    if (span->kind == ZoneKind::kLarge) {
      auto* large = static_cast<LargeMeta*>(span);
      large->scan_lost = 0;
      large->scan_mark = kNotLive;
      if (large->header.state() != ChunkState::kAllocated) continue;
      if (spans_.readable(large_access_begin(*large), large_access_end(*large)))  // not its guard pages
        large->scan_mark = root_or_unreached(large->user, large->header);
      else
        spans_.count_unreadable_slot();
      continue;
    }
    auto* zone = static_cast<ZoneMeta*>(span);
    if (zone->bump == 0) continue;
    zone->scan_marks = all_marks_ + next_slot;
    zone->scan_lost = all_lost_ + next_slot;
    next_slot += zone->bump;
    for (uint32_t s = 0; s < zone->bump; ++s) {
      BlockRef b;
      uintptr_t slot = zone->start + static_cast<uintptr_t>(s) * zone->slot_size;
      if (!spans_.readable(slot, slot + zone->slot_size)) {
        spans_.count_unreadable_slot();
        continue;
      }
      if (block_at_slot(zone, slot, &b) == Locate::kFound && b.header->state() == ChunkState::kAllocated)
        zone->scan_marks[s] = root_or_unreached(b.user, *b.header);
    }
  }
  heap_span_ = heap_hi_ - heap_lo_;
  return true;
}

// Blocks excluded from reporting (the loader's, ignored ones, those allocated
// while leaks were disabled) are roots: what they point to is reachable.
uint8_t Scanner::root_or_unreached(uintptr_t user, const ChunkHeader& header) {
  if (header.epoch() != kIgnoredEpoch) return kUnreached;
  work_.push_back(user);
  return kReachable;
}

void Scanner::release() {
  for (size_t i = 0; i < spans_.size(); ++i) {
    if (spans_[i]->kind == ZoneKind::kLarge) continue;
    auto* zone = static_cast<ZoneMeta*>(spans_[i]);
    zone->scan_marks = nullptr;
    zone->scan_lost = nullptr;
  }
  if (all_marks_ != nullptr) os_unmap(all_marks_, marks_bytes_);
  if (all_lost_ != nullptr) os_unmap(all_lost_, lost_bytes_);
  all_marks_ = nullptr;
  all_lost_ = nullptr;
}

// Does `word` point into a live block (its first byte up to its last)?
DM_ALWAYS_INLINE PointsTo Scanner::resolve(uintptr_t word, Target* t) const {
  // One unsigned compare: random data (hashes, doubles, masked or not) misses it predictably.
  if (word - heap_lo_ >= heap_span_) return PointsTo::kNothing;
  ListedSpan* span = registry().lookup(word);
  if (span == nullptr) return PointsTo::kNothing;
  if (span->kind == ZoneKind::kLarge) {
    auto* large = static_cast<LargeMeta*>(span);
    if (large->scan_mark == kNotLive) return PointsTo::kNothing;
    *t = {&large->scan_mark, &large->scan_lost, large->user, large->user_size, &large->header};
  } else {
    auto* zone = static_cast<ZoneMeta*>(span);
    if (zone->scan_marks == nullptr) return PointsTo::kNothing;
    uintptr_t index = (word - zone->start) / zone->slot_size;
    if (index >= zone->bump || zone->scan_marks[index] == kNotLive) return PointsTo::kNothing;
    uintptr_t slot = zone->start + index * zone->slot_size;
    auto* header = reinterpret_cast<const ChunkHeader*>(slot);
    *t = {&zone->scan_marks[index], &zone->scan_lost[index], slot + header->user_offset(), header->size(), header};
  }
  if (word == t->user) return PointsTo::kStart;
  if (word > t->user && word < t->user + t->size) return PointsTo::kInterior;
  // new T[0] of a T with a destructor: the array cookie fills the block and
  // the program keeps the pointer just past it (LeakSanitizer's special case).
  if (word == t->user + t->size && t->size != 0 && t->size == array_cookie_size(*t->header)) return PointsTo::kStart;
  return PointsTo::kNothing;  // a zero-size block is pointed to only by its start
}

// The loop reads a word, masks it (kTagged), and with one compare drops what
// is not a heap address: most words. The rest goes out of line (heap_word).
template <bool kTagged>
void Scanner::scan_words(uintptr_t begin, uintptr_t end, uint8_t from) {
  begin = align_up(begin, sizeof(uintptr_t));
  if (end < begin + sizeof(uintptr_t)) return;
  const auto* w = reinterpret_cast<const uintptr_t*>(begin);
  const auto* stop = w + (end - begin) / sizeof(uintptr_t);
  // Locals: the marks written through byte pointers would make the compiler reload members.
  const uintptr_t lo = heap_lo_, span = heap_span_;
  for (; w < stop; ++w) {
    // Only the offset is kept: the address is not needed on the common path.
    uintptr_t offset = (kTagged ? *w & kAddressMask : *w) - lo;
    if (DM_LIKELY(offset >= span)) continue;
    heap_word<kTagged>(offset, w, from);
  }
}

// The word at `w` (masked) is in the heap's range, `offset` bytes into it.
template <bool kTagged>
DM_NOINLINE void Scanner::heap_word(uintptr_t offset, const uintptr_t* w, uint8_t from) {
  uintptr_t address = heap_lo_ + offset;
  Target t;
  PointsTo to = resolve(address, &t);
  if (to == PointsTo::kNothing) return;
  if (kTagged && DM_UNLIKELY(address != *w) && defer_tagged(address, from)) return;
  mark_block(t, to, from);
}

DM_ALWAYS_INLINE void Scanner::mark_block(const Target& t, PointsTo to, uint8_t from) {
  uint8_t& mark = *t.mark;
  if (from == kReachable && to == PointsTo::kStart) {
    if (mark == kUnreached || mark == kPossible) {
      (mark == kUnreached ? reached_ : upgraded_) += 1;
      mark = kReachable;
      work_.push_back(t.user);
    }
  } else if (mark == kUnreached) {
    ++reached_;
    mark = kPossible;
    work_.push_back(t.user);
  }
}

// False when the word is to be applied now (after the plain marking, or out of memory).
bool Scanner::defer_tagged(uintptr_t address, uint8_t from) {
  return deferring_ && tagged_.push_back(address | (from == kReachable ? kFromReachable : 0));
}

void Scanner::follow_tagged() {
  deferring_ = false;
  reached_before_tags_ = reached_;
  upgraded_before_tags_ = upgraded_;
  Target t;
  for (size_t i = 0; i < tagged_.size(); ++i) {
    uintptr_t address = tagged_[i] & ~kFromReachable;
    PointsTo to = resolve(address, &t);
    if (to != PointsTo::kNothing) mark_block(t, to, (tagged_[i] & kFromReachable) != 0 ? kReachable : kPossible);
  }
  tagged_.reset();
  propagate();
}

void Scanner::propagate() {
  Target t;
  while (!work_.empty()) {
    uintptr_t user = work_.back();
    work_.pop_back();
    if (resolve(user, &t) != PointsTo::kNothing) scan_words(t.user, t.user + t.size, *t.mark);
  }
}

template <typename Fn>
void Scanner::for_each_live(Fn&& fn) {
  for (size_t i = 0; i < spans_.size(); ++i) {
    ListedSpan* span = spans_[i];
    if (span->kind == ZoneKind::kLarge) {
      auto* large = static_cast<LargeMeta*>(span);
      if (large->scan_mark != kNotLive)
        fn(Target{&large->scan_mark, &large->scan_lost, large->user, large->user_size, &large->header});
      continue;
    }
    auto* zone = static_cast<ZoneMeta*>(span);
    if (zone->scan_marks == nullptr) continue;
    for (uint32_t s = 0; s < zone->bump; ++s) {
      if (zone->scan_marks[s] == kNotLive) continue;
      uintptr_t slot = zone->start + static_cast<uintptr_t>(s) * zone->slot_size;
      auto* header = reinterpret_cast<const ChunkHeader*>(slot);
      fn(Target{&zone->scan_marks[s], &zone->scan_lost[s], slot + header->user_offset(), header->size(), header});
    }
  }
}

// Numbers the unreached blocks in address order (the lost graph's nodes).
// Returns false when out of memory.
bool Scanner::number_lost() {
  // Counted first: the node array is mapped once, not grown by copying.
  size_t unreached = 0;
  for (size_t i = 0; i < spans_.size(); ++i) {
    if (spans_[i]->kind == ZoneKind::kLarge) {
      unreached += static_cast<LargeMeta*>(spans_[i])->scan_mark == kUnreached;
      continue;
    }
    auto* zone = static_cast<ZoneMeta*>(spans_[i]);
    if (zone->scan_marks == nullptr) continue;
    for (uint32_t s = 0; s < zone->bump; ++s) unreached += zone->scan_marks[s] == kUnreached;
  }
  if (!lost_.reserve(unreached)) return false;
  // Marks first: only lost blocks' headers are read (most blocks are reachable).
  for (size_t i = 0; i < spans_.size(); ++i) {
    ListedSpan* span = spans_[i];
    if (span->kind == ZoneKind::kLarge) {
      auto* large = static_cast<LargeMeta*>(span);
      if (large->scan_mark != kUnreached) continue;
      if (lost_.size() >= kNoNode ||
          !lost_.push_back(Target{&large->scan_mark, &large->scan_lost, large->user, large->user_size, &large->header}))
        return false;
      large->scan_lost = static_cast<uint32_t>(lost_.size());
      continue;
    }
    auto* zone = static_cast<ZoneMeta*>(span);
    if (zone->scan_marks == nullptr) continue;
    for (uint32_t s = 0; s < zone->bump; ++s) {
      if (zone->scan_marks[s] != kUnreached) continue;
      uintptr_t slot = zone->start + static_cast<uintptr_t>(s) * zone->slot_size;
      auto* header = reinterpret_cast<const ChunkHeader*>(slot);
      if (lost_.size() >= kNoNode || !lost_.push_back(Target{&zone->scan_marks[s], &zone->scan_lost[s],
                                                             slot + header->user_offset(), header->size(), header}))
        return false;
      zone->scan_lost[s] = static_cast<uint32_t>(lost_.size());
    }
  }
  return true;
}

bool Scanner::next_edge(uint32_t v, uintptr_t* cursor, uint32_t* w) {
  const Target& from = lost_[v];
  uintptr_t end = from.user + from.size;
  uintptr_t p = *cursor == 0 ? align_up(from.user, sizeof(uintptr_t)) : *cursor;
  Target t;
  for (; p + sizeof(uintptr_t) <= end; p += sizeof(uintptr_t)) {
    uintptr_t word = *reinterpret_cast<const uintptr_t*>(p);
    if (resolve(tag_rule_ ? word & kAddressMask : word, &t) == PointsTo::kNothing) continue;
    if (t.lost == nullptr || *t.lost == 0) continue;
    *w = *t.lost - 1;
    *cursor = p + sizeof(uintptr_t);
    return true;
  }
  *cursor = end;
  return false;
}

// Unreached blocks become definite (the leaders) or indirect, each leader
// carrying what hangs from it.
bool Scanner::classify_lost() {
  if (!number_lost()) return false;
  if (lost_.empty()) return true;
  EdgeArrays edges;
  if (!edges.build(*this)) return false;
  MmapVector<uint32_t> leader_of;
  if (!dm::classify_lost(edges, &leader_of)) return false;
  MmapVector<uint32_t> leader_slot;  // node -> its index in leaders_ (leaders only)
  for (uint32_t v = 0; v < lost_.size(); ++v) {
    bool leads = leader_of[v] == v;
    *lost_[v].mark = leads ? kDefinite : kIndirect;
    if (!leader_slot.push_back(leads ? static_cast<uint32_t>(leaders_.size()) : kNoNode)) return false;
    if (leads && !leaders_.push_back(Leader{lost_[v].user, 0, 0})) return false;
  }
  for (uint32_t v = 0; v < lost_.size(); ++v) {
    uint32_t leader = leader_of[v];
    if (leader == v || leader == kNoNode) continue;
    Leader& l = leaders_[leader_slot[leader]];
    l.indirect_bytes += lost_[v].size;
    l.indirect_blocks += 1;
  }
  return true;
}

void Scanner::add(LeakResult* out, LeakKind kind, StackId stack, uint64_t bytes, uint64_t ind_bytes,
                  uint64_t ind_blocks) {
  // Grow the index at half load (and on first use).
  if (group_index_.size() == 0 || out->groups.size() * 2 >= group_index_.size()) {
    size_t cap = group_index_.size() == 0 ? 1024 : group_index_.size() * 2;
    group_index_.reset();
    DM_CHECK(group_index_.reserve(cap));  // the probing below needs all `cap` entries (a power of two)
    for (size_t i = 0; i < cap; ++i) group_index_.push_back(0);
    for (size_t g = 0; g < out->groups.size(); ++g) {
      uint64_t h = (static_cast<uint64_t>(out->groups[g].stack) * 4 + static_cast<uint64_t>(out->groups[g].kind)) *
                   0x9E3779B97F4A7C15ull;
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
    LeakKind kind = mark == kReachable  ? LeakKind::kReachable
                    : mark == kPossible ? LeakKind::kPossible
                    : mark == kIndirect ? LeakKind::kIndirect
                                        : LeakKind::kDefinite;
    add(out, kind, t.header->alloc_stack, t.size, ind_bytes, ind_blocks);
  });
}

}  // namespace

namespace {

uint64_t clock_us(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1000000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
}

void milliseconds(TextBuffer& out, uint64_t microseconds) {
  uint64_t tenths = microseconds / 100;
  out.dec(tenths / 10).ch('.').dec(tenths % 10).str(" ms");
}

// verbosity=1: what the scan cost (wall and this thread's CPU time: the other
// threads are stopped) and what only its less common roots kept.
void report_scan_statistics(const LeakResult& result, uint64_t wall_us, uint64_t cpu_us) {
  KernelHeldCounts held = kernel_held_counts();
  InlineText<320> line;
  line.str("debugmalloc: leak scan: ").dec(result.scanned_blocks).str(" blocks in ");
  milliseconds(line, wall_us);
  line.str(" (cpu ");
  milliseconds(line, cpu_us);
  line.str("); tagged pointers ")
      .str(g_options.tagged_pointers ? "on" : "off")
      .str(": ")
      .dec(result.tag_only_blocks)
      .str(" blocks reached only through them, ")
      .dec(result.tag_upgraded_blocks)
      .str(" more made reachable by them; held by the kernel: ")
      .dec(held.epoll)
      .str(" epoll data, ")
      .dec(held.timers)
      .str(" timer values");
  if (held.dropped != 0) line.str(" (").dec(held.dropped).str(" not kept: table full)");
  line.ch('\n');
  os_write_all(log_fd(), line.data(), line.size());
}

}  // namespace

bool find_leaks(LeakResult* out, uint32_t min_epoch, const ScanStart& start) {
  uint64_t began = clock_us(CLOCK_MONOTONIC), began_cpu = clock_us(CLOCK_THREAD_CPUTIME_ID);
  // Everything that takes a lock outside ours happens before other threads stop.
  RootPlan plan;
  if (!plan.collect()) return false;
  // The registry lock next: a stopped thread then cannot be holding it.
  SpanSnapshot spans;
  if (!spans.ok()) return false;
  Scanner scanner(spans, g_options.tagged_pointers);
  bool ok = true;
  os_defer_unmaps(true);
  {
    WorldStop world;
    MemoryMap maps;
    spans.find_unreadable(maps);
    ok = scanner.prepare();
    if (ok) {
      RootStats stats;
      RootSink sink{[](void* s, uintptr_t begin, uintptr_t end) { static_cast<Scanner*>(s)->scan_root(begin, end); },
                    &scanner};
      visit_roots(plan, maps, world, start, sink, &stats);
      out->threads_not_stopped = stats.threads_not_stopped;
      scanner.propagate();
      scanner.follow_tagged();
      out->tag_only_blocks = scanner.tag_only_blocks();
      out->tag_upgraded_blocks = scanner.tag_upgraded_blocks();
      ok = scanner.classify_lost();
      if (ok) scanner.aggregate(out, min_epoch);
    }
  }
  scanner.release();
  os_defer_unmaps(false);
  out->unreadable_blocks = spans.unreadable_slots();
  if (out->unreadable_blocks != 0) report_unreadable_skipped("the leak check", out->unreadable_blocks);
  if (ok && g_options.verbosity >= 1)
    report_scan_statistics(*out, clock_us(CLOCK_MONOTONIC) - began, clock_us(CLOCK_THREAD_CPUTIME_ID) - began_cpu);
  return ok;
}

}  // namespace dm
