/* Threads running on tiny stacks: 4 threads each switch (makecontext,
 * swapcontext) onto a stack of LEAK_CASE's size, malloc'd or mmap'd, and spin
 * there, while the main thread leaks one 77-byte block and exits (or runs a
 * leak check first). The leak check stops every thread with a signal: that
 * must not overflow a 2 KiB fiber stack.
 *
 * LEAK_CASE="SIZE malloc|mmap exit|check", e.g. "2048 mmap check". */
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <debugmalloc/debugmalloc.h>

#define THREADS 4

static size_t stack_size = 2048;
static int use_mmap = 0;
static atomic_int on_fiber;

/* Spins on the fiber's stack, yielding so that the main thread gets on. The
 * system call is made directly: a first call through the PLT would run the
 * loader's lazy binding, whose frame alone is bigger than 2 KiB. */
static void spin(void) {
  atomic_fetch_add(&on_fiber, 1);
  for (;;) {
#if defined(__x86_64__)
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "0"((long)SYS_sched_yield) : "rcx", "r11", "memory");
#else
    __asm__ volatile("" ::: "memory");
#endif
  }
}

/* The fiber's stack: a heap block, or mmap'd memory right above an
 * inaccessible guard page (as fiber libraries do): running off its low end
 * faults. */
static char* fiber_stack(void) {
  if (!use_mmap) return malloc(stack_size);
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t usable = (stack_size + page - 1) / page * page;
  char* region = mmap(NULL, page + usable, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) return NULL;
  mprotect(region, page, PROT_NONE);
  return region + page;
}

static void* run_fiber(void* arg) {
  (void)arg;
  ucontext_t self, fiber;
  char* stack = fiber_stack();
  if (stack == NULL || getcontext(&fiber) != 0) abort();
  fiber.uc_stack.ss_sp = stack;
  fiber.uc_stack.ss_size = stack_size;
  fiber.uc_link = NULL;
  makecontext(&fiber, spin, 0);
  swapcontext(&self, &fiber); /* never comes back */
  return NULL;
}

__attribute__((noinline)) void leak_77(void) {
  void* volatile block = malloc(77);
  block = NULL;
  (void)block;
}

int main(void) {
  char alloc[16] = "malloc", end[16] = "exit";
  const char* spec = getenv("LEAK_CASE");
  if (spec != NULL && sscanf(spec, "%zu %15s %15s", &stack_size, alloc, end) != 3) return 2;
  use_mmap = strcmp(alloc, "mmap") == 0;
  pthread_t threads[THREADS];
  for (int i = 0; i < THREADS; ++i)
    if (pthread_create(&threads[i], NULL, run_fiber, NULL) != 0) return 2;
  while (atomic_load(&on_fiber) < THREADS) usleep(1000);
  leak_77();
  if (strcmp(end, "check") == 0) fprintf(stderr, "debugmalloc_leak_check() returned %zu\n", debugmalloc_leak_check());
  printf("%d threads spinning on %zu-byte %s stacks\n", THREADS, stack_size, alloc);
  fflush(stdout);
  exit(0);
}
