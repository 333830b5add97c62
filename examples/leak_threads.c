/* leaks in threads: each of 4 threads leaks one 100-byte block, and one
 * thread is still running (blocked) at exit with a block only it points to
 * (reachable from its stack: not a leak). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) void* leak_in_thread(void* arg) {
  (void)arg;
  malloc(100);
  return NULL;
}

__attribute__((noinline)) void* hold_and_wait(void* arg) {
  (void)arg;
  volatile char* held = malloc(4096);
  held[0] = 1;
  pthread_mutex_lock(&gate); /* blocks: main holds the gate until exit */
  return (void*)held;
}

int main(void) {
  pthread_t t[4], waiter;
  pthread_mutex_lock(&gate);
  pthread_create(&waiter, NULL, hold_and_wait, NULL);
  for (int i = 0; i < 4; ++i) pthread_create(&t[i], NULL, leak_in_thread, NULL);
  for (int i = 0; i < 4; ++i) pthread_join(t[i], NULL);
  usleep(100 * 1000); /* let the waiter reach the gate */
  exit(0);
}
