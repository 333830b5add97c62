/* Alternate signal stacks: a 40960-byte stack malloc'd by the program and
 * installed with sigaltstack, whose only pointer the kernel keeps. It is in
 * use (the next signal with SA_ONSTACK runs on it), so it is still reachable.
 *
 *   LEAK_CASE=main      (default) the main thread installs it and takes a
 *                       signal on it
 *   LEAK_CASE=thread    a thread installs it, takes a signal on it, then
 *                       waits: the leak check at exit stops it, and its
 *                       stop signal runs on the program's stack
 *   LEAK_CASE=replaced  a second stack replaces the first, whose pointer is
 *                       then dropped: the first is definitely lost
 *   LEAK_CASE=disabled  a thread installs one, disables it (SS_DISABLE) and
 *                       frees it, then waits for the check: nothing leaks,
 *                       and the thread still stops for the check
 *
 * Each thread says what sigaltstack reported before it installed its own
 * (the tool's own signal stack is never shown to the program). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STACK_BYTES 40960

static volatile sig_atomic_t on_stack; /* the handler ran inside [stack, stack + STACK_BYTES) */
static volatile unsigned long stack_lo, stack_hi;
static int wake[2];

static void handler(int sig) {
  char here;
  (void)sig;
  on_stack = (unsigned long)&here >= stack_lo && (unsigned long)&here < stack_hi;
}

__attribute__((noinline)) void* make_signal_stack(void) { return malloc(STACK_BYTES); }

/* Installs a fresh stack and takes SIGUSR1 on it; says what was installed before. */
__attribute__((noinline)) static void install_and_use(const char* who) {
  stack_t before, ss;
  memset(&ss, 0, sizeof ss);
  if (sigaltstack(NULL, &before) != 0) exit(3);
  ss.ss_sp = make_signal_stack();
  ss.ss_size = STACK_BYTES;
  stack_lo = (unsigned long)ss.ss_sp;
  stack_hi = stack_lo + STACK_BYTES;
  if (sigaltstack(&ss, NULL) != 0) exit(4);
  pthread_kill(pthread_self(), SIGUSR1);
  printf("%s: before: %s; handler on the new stack: %s\n", who, (before.ss_flags & SS_DISABLE) ? "disabled" : "a stack",
         on_stack ? "yes" : "no");
  memset(&ss, 0, sizeof ss);
  stack_lo = stack_hi = 0;
}

__attribute__((noinline)) static void disable_and_free(void) {
  stack_t off, old, now;
  memset(&off, 0, sizeof off);
  off.ss_flags = SS_DISABLE;
  if (sigaltstack(&off, &old) != 0) exit(5);
  free(old.ss_sp);
  if (sigaltstack(NULL, &now) != 0) exit(6);
  printf("disabled: now %s\n", (now.ss_flags & SS_DISABLE) ? "disabled" : "a stack");
}

static void* thread_main(void* arg) {
  install_and_use("thread");
  if (arg != NULL) disable_and_free();
  fflush(stdout);
  if (write(wake[1], "r", 1) != 1) exit(7);
  for (;;) pause(); /* the check at exit stops it here */
  return NULL;
}

int main(void) {
  const char* how = getenv("LEAK_CASE");
  if (how == NULL) how = "main";
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR1, &sa, NULL);
  if (strcmp(how, "main") == 0) {
    install_and_use("main");
  } else if (strcmp(how, "replaced") == 0) {
    install_and_use("main");
    install_and_use("main again");
  } else if (strcmp(how, "thread") == 0 || strcmp(how, "disabled") == 0) {
    pthread_t t;
    char ready;
    if (pipe(wake) != 0) return 2;
    if (pthread_create(&t, NULL, thread_main, strcmp(how, "disabled") == 0 ? (void*)1 : NULL) != 0) return 2;
    if (read(wake[0], &ready, 1) != 1) return 2;
  } else {
    return 2;
  }
  fflush(stdout);
  return 0;
}
