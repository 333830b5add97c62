/* Pointers held by the kernel: an event loop's connection object (204 bytes,
 * make_connection) whose only pointer is the data.ptr it registered with
 * epoll_ctl. The kernel hands it back with each event (the program checks),
 * so while registered it is in use: still reachable. Once the registration is
 * gone it is definitely lost. LEAK_CASE says how it ends:
 *
 *   registered    (default) still registered at exit: reachable
 *   deleted       EPOLL_CTL_DEL: lost
 *   closed        close() of the registered descriptor: lost
 *   epoll_closed  close() of the epoll descriptor: lost
 *   dup2          dup2() of another descriptor onto the registered one: lost
 *   close_range   close_range() over the registered descriptor: lost
 *   modified      EPOLL_CTL_MOD to a second object (96 bytes, make_other):
 *                 the first lost, the second reachable
 *   two_loops     the descriptor registered in two epoll instances, with the
 *                 connection and with the other object; the first instance
 *                 closed: the connection lost, the other object reachable
 *   vfork         a vfork child (sharing the parent's memory, not its descriptors)
 *                 closes both descriptors and exits: still registered in the
 *                 parent, so reachable
 *   timer         a POSIX timer whose sigev_value is the connection, never
 *                 deleted: reachable (the timer fires once, the value checked)
 *   timer_deleted the same, then timer_delete: lost */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct connection {
  int fd;
  char peer[200];
};

__attribute__((noinline)) struct connection* make_connection(int fd) {
  struct connection* c = malloc(sizeof *c);
  c->fd = fd;
  snprintf(c->peer, sizeof c->peer, "peer of fd %d", fd);
  return c;
}

__attribute__((noinline)) void* make_other(void) { return calloc(1, 96); }

/* Registers a fresh connection for `fd` in `epfd`; returns its address disguised (not a pointer). */
__attribute__((noinline)) static uintptr_t register_connection(int epfd, int fd) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.ptr = make_connection(fd);
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) exit(3);
  return ~(uintptr_t)ev.data.ptr;
}

/* One event on `fd`: epoll_wait must give back the registered pointer. */
static int event_returns(int epfd, int fd, uintptr_t disguised) {
  uint64_t one = 1;
  struct epoll_event ev;
  if (write(fd, &one, sizeof one) != sizeof one) exit(4);
  if (epoll_wait(epfd, &ev, 1, 1000) != 1) exit(5);
  if (read(fd, &one, sizeof one) != sizeof one) exit(6);
  return (uintptr_t)ev.data.ptr == ~disguised;
}

static volatile sig_atomic_t timer_value_ok;
static uintptr_t timer_expected;

static void on_timer(int sig, siginfo_t* info, void* context) {
  (void)sig;
  (void)context;
  timer_value_ok = (uintptr_t)info->si_value.sival_ptr == ~timer_expected;
}

__attribute__((noinline)) static int timer_case(int delete_it) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_timer;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR2, &sa, NULL);
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGUSR2;
  sev.sigev_value.sival_ptr = make_connection(-1);
  timer_expected = ~(uintptr_t)sev.sigev_value.sival_ptr;
  timer_t timer;
  if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0) return 0;
  memset(&sev, 0, sizeof sev);
  struct itimerspec when;
  memset(&when, 0, sizeof when);
  when.it_value.tv_nsec = 1000 * 1000;
  if (timer_settime(timer, 0, &when, NULL) != 0) return 0;
  while (!timer_value_ok) {
    struct timespec nap = {0, 1000 * 1000};
    nanosleep(&nap, NULL);
  }
  if (delete_it && timer_delete(timer) != 0) return 0;
  printf("timer: the signal carried the connection\n");
  return 1;
}

int main(void) {
  const char* how = getenv("LEAK_CASE");
  if (how == NULL) how = "registered";
  if (strncmp(how, "timer", 5) == 0) return timer_case(strcmp(how, "timer_deleted") == 0) ? 0 : 1;
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  int fd = eventfd(0, EFD_CLOEXEC);
  if (epfd < 0 || fd < 0) return 2;
  uintptr_t conn = register_connection(epfd, fd);
  int ok = event_returns(epfd, fd, conn);
  if (strcmp(how, "deleted") == 0) {
    if (epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) != 0) return 7;
  } else if (strcmp(how, "closed") == 0) {
    close(fd);
  } else if (strcmp(how, "epoll_closed") == 0) {
    close(epfd);
  } else if (strcmp(how, "dup2") == 0) {
    int other = eventfd(0, EFD_CLOEXEC);
    if (dup2(other, fd) != fd) return 8;
    close(other);
  } else if (strcmp(how, "close_range") == 0) {
    if (close_range((unsigned)fd, (unsigned)fd, 0) != 0) return 9;
  } else if (strcmp(how, "modified") == 0) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = make_other();
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) != 0) return 10;
    ok = ok && event_returns(epfd, fd, ~(uintptr_t)ev.data.ptr);
    memset(&ev, 0, sizeof ev);
  } else if (strcmp(how, "two_loops") == 0) {
    int second = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = make_other();
    if (second < 0 || epoll_ctl(second, EPOLL_CTL_ADD, fd, &ev) != 0) return 11;
    ok = ok && event_returns(second, fd, ~(uintptr_t)ev.data.ptr);
    memset(&ev, 0, sizeof ev);
    close(epfd);
  } else if (strcmp(how, "vfork") == 0) {
    pid_t child = vfork();
    if (child == 0) {
      close(fd);
      close(epfd);
      _exit(0);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || status != 0) return 12;
    ok = ok && event_returns(epfd, fd, conn);
  } else if (strcmp(how, "registered") != 0) {
    return 2;
  }
  conn = 0;
  printf("%s: epoll_wait gave back the connection: %s\n", how, ok ? "yes" : "no");
  return 0;
}
