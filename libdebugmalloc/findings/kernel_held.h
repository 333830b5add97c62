// Pointer-sized values the program hands to the kernel and may keep nowhere
// else: the data of its epoll registrations (epoll_ctl) and the sigev_value of
// its POSIX timers (timer_create). The kernel gives them back later (epoll_wait,
// the timer's signal), so a block whose only pointer is one of them is in use,
// not lost: the leak scan reads them as roots (leak_roots.cpp).
//
// Kept until the kernel forgets them:
//   the data of (epfd, fd): until EPOLL_CTL_DEL of (epfd, fd), or until fd or
//     epfd is closed (close, dup2/dup3 onto it, close_range, closefrom);
//   a timer's value: until timer_delete.
// The kernel drops a registration when the last descriptor of its file goes;
// here it goes with the registered descriptor number. So a descriptor that was
// duplicated, registered and then closed while the duplicate lives on loses its
// value here (a block may be reported lost that is not), and one closed by a
// path that is not interposed (fclose, a raw system call) keeps its value until
// that number is registered or closed again (a leak may be missed).
//
// Thread-safety: lock-free and async-signal-safe (close is called from signal
// handlers, and by threads that a leak scan stopped). Each change of an entry
// is one 16-byte compare-exchange. The table is mapped at the first
// registration; until then close costs one load. Only the process that owns
// the table drops values from it: a vfork child (which shares the parent's
// memory but not its descriptors) closing descriptors before its exec drops
// nothing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "support/platform.h"

namespace dm {

namespace kernel_held_detail {
struct Table;
extern std::atomic<Table*> g_table;
void fd_closing(Table* table, int fd);
}  // namespace kernel_held_detail

// epoll_ctl ADD or MOD of (epfd, fd) succeeded with `data`.
void kernel_held_epoll_set(int epfd, int fd, uint64_t data);
// epoll_ctl DEL of (epfd, fd) (whatever the kernel answered).
void kernel_held_epoll_remove(int epfd, int fd);

// fd is about to be closed (or was replaced by dup2/dup3): its registrations
// go, and if it is an epoll descriptor, every registration made through it.
DM_ALWAYS_INLINE void kernel_held_fd_closing(int fd) {
  kernel_held_detail::Table* table = kernel_held_detail::g_table.load(std::memory_order_acquire);
  if (DM_UNLIKELY(table != nullptr)) kernel_held_detail::fd_closing(table, fd);
}
// Every descriptor from `first` to `last` (inclusive) is about to be closed.
void kernel_held_fds_closing(unsigned first, unsigned last);

// timer_create returned `timer` for a sigevent carrying `value`.
void kernel_held_timer_set(uint64_t timer, uint64_t value);
void kernel_held_timer_remove(uint64_t timer);

// In a forked child (pthread_atfork): the child's copy of the table is its own.
void kernel_held_after_fork_child();

struct KernelHeldCounts {
  uint64_t epoll = 0;    // registrations held
  uint64_t timers = 0;   // timers held
  uint64_t dropped = 0;  // values not kept for want of room (since start)
};
KernelHeldCounts kernel_held_counts();

// With every other thread stopped (the leak scan): calls `emit` with the
// address of each value held.
void kernel_held_for_each(void (*emit)(void* context, const uint64_t* value), void* context);

}  // namespace dm
