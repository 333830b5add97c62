// The calls through which the program hands the kernel a pointer to keep
// (epoll_ctl, timer_create) and takes it back (timer_delete, and the calls that
// close descriptors: close, dup2, dup3, close_range, closefrom), interposed to
// keep the table of findings/kernel_held.h; and sigaltstack, so that the
// program's alternate signal stack is known and the library's own stays out of
// its sight (findings/thread_stop.h).
//
// Each one works before the library is initialised, allocates nothing, keeps
// errno as the real call leaves it, and calls the real function, found with
// dlsym(RTLD_NEXT) on first use (the descriptor calls fall back to the system
// call if that fails).
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstring>

#include "core/init.h"
#include "findings/kernel_held.h"
#include "findings/thread_stop.h"
#include "support/internal_arena.h"
#include "support/platform.h"

namespace {

using CloseFn = int (*)(int);
using Dup2Fn = int (*)(int, int);
using Dup3Fn = int (*)(int, int, int);
using CloseRangeFn = int (*)(unsigned, unsigned, int);
using ClosefromFn = void (*)(int);
using EpollCtlFn = int (*)(int, int, int, struct epoll_event*);
using TimerCreateFn = int (*)(clockid_t, struct sigevent*, timer_t*);
using TimerDeleteFn = int (*)(timer_t);

constinit std::atomic<CloseFn> g_close{nullptr};
constinit std::atomic<Dup2Fn> g_dup2{nullptr};
constinit std::atomic<Dup3Fn> g_dup3{nullptr};
constinit std::atomic<CloseRangeFn> g_close_range{nullptr};
constinit std::atomic<ClosefromFn> g_closefrom{nullptr};
constinit std::atomic<EpollCtlFn> g_epoll_ctl{nullptr};
constinit std::atomic<TimerCreateFn> g_timer_create{nullptr};
constinit std::atomic<TimerDeleteFn> g_timer_delete{nullptr};
constinit std::atomic<dm::SigaltstackFn> g_sigaltstack{nullptr};

// dlsym allocates only to describe a failure; once the library is up, that
// goes to the internal arena rather than the program's heap.
template <typename Fn>
DM_NOINLINE Fn resolve(std::atomic<Fn>& cache, const char* name) {
  int saved_errno = errno;
  void* symbol;
  if (dm::g_init_state.load(std::memory_order_acquire) == 2) {
    dm::ScopedInternal internal;
    symbol = dlsym(RTLD_NEXT, name);
  } else {
    symbol = dlsym(RTLD_NEXT, name);
  }
  errno = saved_errno;
  Fn fn = reinterpret_cast<Fn>(symbol);
  if (fn != nullptr) cache.store(fn, std::memory_order_release);
  return fn;
}

template <typename Fn>
DM_ALWAYS_INLINE Fn real(std::atomic<Fn>& cache, const char* name) {
  Fn fn = cache.load(std::memory_order_acquire);
  return DM_LIKELY(fn != nullptr) ? fn : resolve(cache, name);
}

int as_int(long result) { return static_cast<int>(result); }

uint64_t epoll_data_of(const struct epoll_event* event) {
  uint64_t data = 0;  // epoll_event is packed on x86-64: no aligned load
  memcpy(&data, reinterpret_cast<const char*>(event) + offsetof(struct epoll_event, data), sizeof data);
  return data;
}

}  // namespace

// The descriptor's values go first: once closed, its number may be reused and
// registered again by another thread at once.
DM_EXPORT int close(int fd) {
  dm::kernel_held_fd_closing(fd);
  CloseFn fn = real(g_close, "close");
  return fn != nullptr ? fn(fd) : as_int(syscall(SYS_close, fd));
}

// A descriptor replaced by dup2/dup3 was closed; a failed call closed nothing.
DM_EXPORT int dup2(int oldfd, int newfd) __THROW {
  Dup2Fn fn = real(g_dup2, "dup2");
  int result = fn != nullptr ? fn(oldfd, newfd) : as_int(syscall(SYS_dup2, oldfd, newfd));
  if (result >= 0 && oldfd != newfd) dm::kernel_held_fd_closing(newfd);
  return result;
}

DM_EXPORT int dup3(int oldfd, int newfd, int flags) __THROW {
  Dup3Fn fn = real(g_dup3, "dup3");
  int result = fn != nullptr ? fn(oldfd, newfd, flags) : as_int(syscall(SYS_dup3, oldfd, newfd, flags));
  if (result >= 0) dm::kernel_held_fd_closing(newfd);
  return result;
}

// CLOSE_RANGE_CLOEXEC closes nothing now (an exec replaces the table anyway).
DM_EXPORT int close_range(unsigned first, unsigned last, int flags) __THROW {
  constexpr int kCloexec = 1 << 2;  // CLOSE_RANGE_CLOEXEC (linux/close_range.h)
  if ((flags & kCloexec) == 0) dm::kernel_held_fds_closing(first, last);
  CloseRangeFn fn = real(g_close_range, "close_range");
  return fn != nullptr ? fn(first, last, flags) : as_int(syscall(SYS_close_range, first, last, flags));
}

// glibc's closefrom calls its own close_range, not the exported one.
DM_EXPORT void closefrom(int lowfd) __THROW {
  if (lowfd >= 0) dm::kernel_held_fds_closing(static_cast<unsigned>(lowfd), ~0u);
  if (ClosefromFn fn = real(g_closefrom, "closefrom")) {
    fn(lowfd);
    return;
  }
  if (lowfd >= 0) syscall(SYS_close_range, static_cast<unsigned>(lowfd), ~0u, 0);
}

// The data of an ADD or MOD is kept once the kernel accepted it; a DEL drops it
// whatever the kernel says (it may have dropped it first, at a close not seen here).
DM_EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event* event) __THROW {
  EpollCtlFn fn = real(g_epoll_ctl, "epoll_ctl");
  int result = fn != nullptr ? fn(epfd, op, fd, event) : as_int(syscall(SYS_epoll_ctl, epfd, op, fd, event));
  if (op == EPOLL_CTL_DEL)
    dm::kernel_held_epoll_remove(epfd, fd);
  else if (result == 0 && event != nullptr && (op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD))
    dm::kernel_held_epoll_set(epfd, fd, epoll_data_of(event));
  return result;
}

// Without a sigevent the timer signals its own id: nothing to keep. With
// SIGEV_THREAD glibc keeps the value in its own list as well.
DM_EXPORT int timer_create(clockid_t clock, struct sigevent* event, timer_t* timer) __THROW {
  TimerCreateFn fn = real(g_timer_create, "timer_create");
  if (fn == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  int result = fn(clock, event, timer);
  if (result == 0 && event != nullptr)
    dm::kernel_held_timer_set(reinterpret_cast<uint64_t>(*timer),
                              reinterpret_cast<uint64_t>(event->sigev_value.sival_ptr));
  return result;
}

DM_EXPORT int timer_delete(timer_t timer) __THROW {
  TimerDeleteFn fn = real(g_timer_delete, "timer_delete");
  if (fn == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  // First: once deleted, its id may be given to another thread's new timer at once.
  dm::kernel_held_timer_remove(reinterpret_cast<uint64_t>(timer));
  return fn(timer);
}

DM_EXPORT int sigaltstack(const stack_t* ss, stack_t* old) __THROW {
  dm::SigaltstackFn fn = real(g_sigaltstack, "sigaltstack");
  if (fn == nullptr) fn = [](const stack_t* s, stack_t* o) { return as_int(syscall(SYS_sigaltstack, s, o)); };
  return dm::thread_stop_sigaltstack(ss, old, fn);
}
