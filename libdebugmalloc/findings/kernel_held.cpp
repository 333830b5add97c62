// The table of values held by the kernel for the program (kernel_held.h).
//
// Registrations are found by descriptor: the cell of fd holds its first
// registration (key: the epoll descriptor + 1), so that close(fd) looks at one
// cell. A second registration of the same fd (in another epoll instance) and
// descriptors from kDirectFds up go to a small spill table, read by close only
// while something is in it. A bitmap marks the epoll descriptors that
// registered something: closing one sweeps the cells up to the highest
// descriptor seen (rare: an event loop ends).
#include "findings/kernel_held.h"

namespace dm {

namespace kernel_held_detail {

namespace {

// One entry: (value, key), key 0 when free. Changed only by cmpxchg16b.
struct alignas(16) Cell {
  uint64_t value;
  uint64_t key;
};
static_assert(sizeof(Cell) == 16, "cmpxchg16b works on 16 bytes");

constexpr uint32_t kDirectFds = 1u << 20;  // Linux's default limit on open descriptors (fs.nr_open)
constexpr uint32_t kSpill = 4096;
constexpr uint32_t kTimers = 4096;

}  // namespace

struct Table {
  Cell fds[kDirectFds];                 // by registered fd; key: epfd + 1
  Cell spill[kSpill];                   // key: spill_key(epfd, fd)
  Cell timers[kTimers];                 // key: timer id + 1
  uint64_t instances[kDirectFds / 64];  // epoll descriptors below kDirectFds that registered something
  uint32_t fd_high;                     // no descriptor at or above it (either role) is in the table
  uint32_t spill_high;                  // no spill cell at or above it is used
  uint32_t timer_high;
  uint32_t big_instances;  // an epoll descriptor at or above kDirectFds registered something
  uint64_t dropped;
};

constinit std::atomic<Table*> g_table{nullptr};

namespace {

// The process whose table this is: a vfork child shares the parent's memory but
// has its own descriptors, and its closes must not drop the parent's values.
// Set when the table is mapped and in a forked child (kernel_held_after_fork_child).
constinit std::atomic<int> g_owner{0};

// Asked only when there is something to drop: it costs a system call.
bool owned() { return g_owner.load(std::memory_order_relaxed) == os_getpid(); }

// One atomic step (lock cmpxchg16b, a full barrier): if *cell equals *expected,
// stores `desired`; otherwise copies the current contents into *expected.
bool cas(Cell* cell, Cell* expected, Cell desired) {
  uint64_t lo = expected->value, hi = expected->key;
  bool swapped;
  asm volatile("lock cmpxchg16b %[mem]"
               : "=@ccz"(swapped), [mem] "+m"(*cell), "+a"(lo), "+d"(hi)
               : "b"(desired.value), "c"(desired.key)
               : "memory");
  if (!swapped) *expected = Cell{lo, hi};
  return swapped;
}

// A first guess for cas (it may be torn: cas then fails and reads it whole).
Cell peek(const Cell* cell) {
  return Cell{__atomic_load_n(&cell->value, __ATOMIC_RELAXED), __atomic_load_n(&cell->key, __ATOMIC_ACQUIRE)};
}
uint64_t key_of(const Cell* cell) { return __atomic_load_n(&cell->key, __ATOMIC_ACQUIRE); }

// Stores (value, key) if the cell is free or holds `key` already; false if it holds another key.
bool put(Cell* cell, uint64_t key, uint64_t value) {
  Cell seen = peek(cell);
  for (;;) {
    if (seen.key != 0 && seen.key != key) return false;
    if (cas(cell, &seen, Cell{value, key})) return true;
  }
}

// Frees the cell if it is used and `pred(key)` holds.
template <typename Pred>
void clear_if(Cell* cell, Pred pred) {
  Cell seen = peek(cell);
  while (seen.key != 0 && pred(seen.key))
    if (cas(cell, &seen, Cell{0, 0})) return;
}

uint32_t load(const uint32_t* word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }

// Raised before a cell is claimed: a scan that stops the claiming thread
// half-way still reads the cell.
void raise(uint32_t* high, uint32_t at_least) {
  uint32_t seen = load(high);
  while (seen < at_least &&
         !__atomic_compare_exchange_n(high, &seen, at_least, true, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
  }
}

uint64_t spill_key(uint32_t epfd, uint32_t fd) { return (uint64_t{epfd} + 1) << 32 | (uint64_t{fd} + 1); }
uint32_t spill_epfd_plus_one(uint64_t key) { return static_cast<uint32_t>(key >> 32); }
uint32_t spill_fd_plus_one(uint64_t key) { return static_cast<uint32_t>(key); }

Table* table() {
  Table* t = g_table.load(std::memory_order_acquire);
  if (t != nullptr) return t;
  auto* fresh = static_cast<Table*>(os_map(sizeof(Table)));  // zero-filled, reserved lazily
  if (fresh == nullptr) return nullptr;
  g_owner.store(os_getpid(), std::memory_order_relaxed);  // a racing mapper is the same process
  if (g_table.compare_exchange_strong(t, fresh, std::memory_order_acq_rel)) return fresh;
  os_unmap(fresh, sizeof(Table));  // another thread mapped it first
  return t;
}

bool has_instance_bit(Table* t, uint32_t epfd) {
  return (__atomic_load_n(&t->instances[epfd / 64], __ATOMIC_ACQUIRE) >> (epfd % 64) & 1) != 0;
}

// Clears the bit first: a registration racing the close survives it or not, as in the kernel.
bool take_instance_bit(Table* t, uint32_t epfd) {
  uint64_t bit = uint64_t{1} << (epfd % 64);
  return (__atomic_fetch_and(&t->instances[epfd / 64], ~bit, __ATOMIC_ACQ_REL) & bit) != 0;
}

void note_instance(Table* t, uint32_t epfd) {
  if (epfd >= kDirectFds) {
    __atomic_store_n(&t->big_instances, 1u, __ATOMIC_RELEASE);
    return;
  }
  raise(&t->fd_high, epfd + 1);
  if (!has_instance_bit(t, epfd))
    __atomic_fetch_or(&t->instances[epfd / 64], uint64_t{1} << (epfd % 64), __ATOMIC_ACQ_REL);
}

// Every registration made through `epfd` goes (its cells up to fd_high).
void sweep_instance(Table* t, uint32_t epfd) {
  uint32_t high = load(&t->fd_high);
  for (uint32_t fd = 0; fd < high; ++fd)
    clear_if(&t->fds[fd], [epfd](uint64_t key) { return key == uint64_t{epfd} + 1; });
}

bool update_spilled(Table* t, uint64_t key, uint64_t value) {
  uint32_t high = load(&t->spill_high);
  for (uint32_t i = 0; i < high; ++i)
    if (key_of(&t->spill[i]) == key && put(&t->spill[i], key, value)) return true;
  return false;
}

void claim(Cell* cells, uint32_t count, uint32_t* high, uint64_t key, uint64_t value, uint64_t* dropped) {
  for (uint32_t i = 0; i < count; ++i) {
    if (key_of(&cells[i]) != 0) continue;
    raise(high, i + 1);
    if (put(&cells[i], key, value)) return;
  }
  __atomic_fetch_add(dropped, 1, __ATOMIC_RELAXED);
}

}  // namespace

void fd_closing(Table* t, int fd) {
  if (fd < 0) return;
  auto u = static_cast<uint32_t>(fd);
  if (u < kDirectFds && u >= load(&t->fd_high)) return;  // never registered: nothing in the spill either
  // Whether this process may drop values, asked once and only when one is found.
  int may = -1;
  auto may_drop = [&may] {
    if (may < 0) may = owned() ? 1 : 0;
    return may == 1;
  };
  if (u < kDirectFds) {
    if ((key_of(&t->fds[u]) != 0 || has_instance_bit(t, u)) && may_drop()) {
      clear_if(&t->fds[u], [](uint64_t) { return true; });
      if (take_instance_bit(t, u)) sweep_instance(t, u);
    }
  } else if (load(&t->big_instances) != 0 && may_drop()) {
    sweep_instance(t, u);
  }
  uint32_t spilled = load(&t->spill_high);
  auto involves = [u](uint64_t key) { return spill_fd_plus_one(key) == u + 1 || spill_epfd_plus_one(key) == u + 1; };
  for (uint32_t i = 0; i < spilled; ++i)
    if (uint64_t key = key_of(&t->spill[i]); key != 0 && involves(key) && may_drop()) clear_if(&t->spill[i], involves);
}

}  // namespace kernel_held_detail

using namespace kernel_held_detail;

void kernel_held_epoll_set(int epfd, int fd, uint64_t data) {
  if (epfd < 0 || fd < 0) return;
  Table* t = table();
  if (t == nullptr) return;
  auto uep = static_cast<uint32_t>(epfd), ufd = static_cast<uint32_t>(fd);
  note_instance(t, uep);
  uint64_t skey = spill_key(uep, ufd);
  // A registration spilled earlier stays where it is: one cell per (epfd, fd).
  if (load(&t->spill_high) != 0 && update_spilled(t, skey, data)) return;
  if (ufd < kDirectFds) {
    raise(&t->fd_high, ufd + 1);
    if (put(&t->fds[ufd], uint64_t{uep} + 1, data)) return;
  }
  claim(t->spill, kSpill, &t->spill_high, skey, data, &t->dropped);
}

void kernel_held_epoll_remove(int epfd, int fd) {
  Table* t = g_table.load(std::memory_order_acquire);
  if (t == nullptr || epfd < 0 || fd < 0 || !owned()) return;
  auto uep = static_cast<uint32_t>(epfd), ufd = static_cast<uint32_t>(fd);
  if (ufd < kDirectFds) clear_if(&t->fds[ufd], [uep](uint64_t key) { return key == uint64_t{uep} + 1; });
  uint64_t skey = spill_key(uep, ufd);
  uint32_t high = load(&t->spill_high);
  for (uint32_t i = 0; i < high; ++i) clear_if(&t->spill[i], [skey](uint64_t key) { return key == skey; });
}

void kernel_held_fds_closing(unsigned first, unsigned last) {
  Table* t = g_table.load(std::memory_order_acquire);
  if (t == nullptr || first > last || !owned()) return;
  auto in_range = [first, last](uint64_t plus_one) {
    return plus_one != 0 && plus_one - 1 >= first && plus_one - 1 <= last;
  };
  uint32_t high = load(&t->fd_high);
  for (uint32_t fd = first; fd < high && fd <= last; ++fd)
    if (has_instance_bit(t, fd)) take_instance_bit(t, fd);
  if (last >= kDirectFds) __atomic_store_n(&t->big_instances, 0u, __ATOMIC_RELEASE);
  // One pass: a cell goes when its descriptor or its epoll descriptor is in the range.
  for (uint32_t fd = 0; fd < high; ++fd) {
    bool closing = fd >= first && fd <= last;
    clear_if(&t->fds[fd], [&](uint64_t key) { return closing || in_range(key); });
  }
  uint32_t spilled = load(&t->spill_high);
  for (uint32_t i = 0; i < spilled; ++i)
    clear_if(&t->spill[i],
             [&](uint64_t key) { return in_range(spill_fd_plus_one(key)) || in_range(spill_epfd_plus_one(key)); });
}

void kernel_held_timer_set(uint64_t timer, uint64_t value) {
  uint64_t key = timer + 1;
  if (key == 0) return;
  Table* t = table();
  if (t == nullptr) return;
  uint32_t high = load(&t->timer_high);
  for (uint32_t i = 0; i < high; ++i)  // a timer id the kernel reused after a delete we did not see
    if (key_of(&t->timers[i]) == key && put(&t->timers[i], key, value)) return;
  claim(t->timers, kTimers, &t->timer_high, key, value, &t->dropped);
}

void kernel_held_timer_remove(uint64_t timer) {
  Table* t = g_table.load(std::memory_order_acquire);
  if (t == nullptr || load(&t->timer_high) == 0 || !owned()) return;
  uint64_t key = timer + 1;
  uint32_t high = load(&t->timer_high);
  for (uint32_t i = 0; i < high; ++i) clear_if(&t->timers[i], [key](uint64_t k) { return k == key; });
}

void kernel_held_after_fork_child() {
  if (g_table.load(std::memory_order_acquire) != nullptr) g_owner.store(os_getpid(), std::memory_order_relaxed);
}

KernelHeldCounts kernel_held_counts() {
  KernelHeldCounts counts;
  Table* t = g_table.load(std::memory_order_acquire);
  if (t == nullptr) return counts;
  uint32_t high = load(&t->fd_high), spilled = load(&t->spill_high), timers = load(&t->timer_high);
  for (uint32_t i = 0; i < high; ++i) counts.epoll += key_of(&t->fds[i]) != 0;
  for (uint32_t i = 0; i < spilled; ++i) counts.epoll += key_of(&t->spill[i]) != 0;
  for (uint32_t i = 0; i < timers; ++i) counts.timers += key_of(&t->timers[i]) != 0;
  counts.dropped = __atomic_load_n(&t->dropped, __ATOMIC_RELAXED);
  return counts;
}

void kernel_held_for_each(void (*emit)(void* context, const uint64_t* value), void* context) {
  Table* t = g_table.load(std::memory_order_acquire);
  if (t == nullptr) return;
  auto each = [&](const Cell* cells, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i)
      if (key_of(&cells[i]) != 0) emit(context, &cells[i].value);
  };
  each(t->fds, load(&t->fd_high));
  each(t->spill, load(&t->spill_high));
  each(t->timers, load(&t->timer_high));
}

}  // namespace dm
