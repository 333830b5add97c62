/* The interposed C library functions where programs call them from unusual
 * places: a vfork child, signal handlers interrupting the allocator, threads
 * freeing while others copy, a library loaded with dlopen (its constructor runs
 * under the dynamic loader's lock), memory that is not the heap (stack,
 * globals, mmap, large and aligned blocks). Each mode prints what it computed;
 * tests/libc/check_libc_contexts.py compares that with a run without the
 * library and counts the reports. Built with -fno-builtin: the calls stay calls. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long checksum;
static void mix(unsigned long v) { checksum = checksum * 131 + v; }

/* vfork: the child shares the parent's memory until it calls execve or _exit. */
static int run_vfork(void) {
  char* text = malloc(32);
  strcpy(text, "from the parent");
  pid_t pid = vfork();
  if (pid == 0) {
    char local[32];
    size_t n = strlen(text);
    memcpy(local, text, n + 1);
    snprintf(text, 32, "child %zu", n);
    char* const argv[] = {"/bin/true", NULL};
    execv(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("vfork: %s, child exit %d\n", text, WEXITSTATUS(status));
  free(text);
  return 0;
}

/* Signals: a handler copies heap and stack buffers while the main thread is
 * inside malloc, free and the string functions themselves. */
static char* volatile handler_block;
static volatile sig_atomic_t handled;
static volatile sig_atomic_t overflow_in_handler; /* bad calls left to make */

static void on_alarm(int signo) {
  (void)signo;
  char local[64];
  char* block = handler_block;
  memset(local, 'h', sizeof local);
  memcpy(block, local, 64);
  block[63] = '\0';
  handled += (sig_atomic_t)(strlen(block) == 63);
  if (overflow_in_handler > 0) {
    --overflow_in_handler;
    memcpy(block, local, 65); /* one byte past the 64-byte block */
  }
}

static int run_signals(int overflow) {
  handler_block = malloc(64);
  overflow_in_handler = overflow;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval every = {{0, 200}, {0, 200}};
  setitimer(ITIMER_REAL, &every, NULL);
  for (int i = 0; handled < 2000 && i < 20000000; ++i) {
    char* p = malloc((size_t)(i % 200) + 16);
    strcpy(p, "churn");
    mix(strlen(p));
    char* q = strdup(p);
    memcpy(q, p, 6);
    free(q);
    free(p);
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  printf("signals: %s handled\n", handled >= 2000 ? "all" : "not all");
  free(handler_block);
  return 0;
}

/* Threads: each copies its own blocks while the others allocate and free. */
static void* thread_work(void* arg) {
  unsigned long sum = 0;
  for (int i = 0; i < 20000; ++i) {
    size_t n = (size_t)(i % 300) + 1;
    char* a = malloc(n);
    memset(a, 'x', n);
    char* b = malloc(n + 1);
    memcpy(b, a, n);
    b[n] = '\0';
    sum += strlen(b);
    char* c = strndup(b, n);
    sum += (unsigned long)strcmp(b, c);
    free(c);
    free(b);
    free(a);
  }
  *(unsigned long*)arg = sum;
  return NULL;
}

static int run_threads(void) {
  pthread_t threads[4];
  unsigned long sums[4];
  for (int i = 0; i < 4; ++i) pthread_create(&threads[i], NULL, thread_work, &sums[i]);
  for (int i = 0; i < 4; ++i) pthread_join(threads[i], NULL);
  printf("threads: %lu %lu %lu %lu\n", sums[0], sums[1], sums[2], sums[3]);
  return 0;
}

/* A library loaded with dlopen: its constructor calls the checked functions. */
static int run_dlopen(const char* plugin) {
  void* handle = dlopen(plugin, RTLD_NOW);
  if (handle == NULL) {
    printf("dlopen: %s\n", dlerror());
    return 1;
  }
  const char* (*greeting)(void) = (const char* (*)(void))dlsym(handle, "plugin_greeting");
  printf("dlopen: %s\n", greeting());
  dlclose(handle);
  return 0;
}

/* Memory that is not a heap block, and heap blocks of every kind, at their exact bounds. */
static char global_buffer[100000];

static int run_foreign(void) {
  char stack[4096];
  memset(stack, 's', sizeof stack);
  memcpy(global_buffer, stack, sizeof stack);
  memset(global_buffer, 'g', sizeof global_buffer);
  size_t map_size = 1 << 20;
  char* mapped = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(mapped, 'm', map_size);
  memcpy(mapped + map_size - sizeof stack, stack, sizeof stack);
  mapped[map_size - 1] = '\0';
  mix(strlen(mapped + map_size - 100));
  munmap(mapped, map_size);
  size_t sizes[] = {1, 15, 16, 17, 1000, 4096, 70000, 200000, 3 << 20};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    size_t n = sizes[i];
    char* plain = malloc(n);
    char* zeroed = calloc(n, 1);
    void* aligned = NULL;
    if (posix_memalign(&aligned, 4096, n) != 0) return 1;
    memset(plain, 'p', n);
    memcpy(aligned, plain, n);
    memmove(zeroed, aligned, n);
    mix((unsigned long)memcmp(plain, zeroed, n));
    plain[n - 1] = '\0';
    mix(strlen(plain));
    char* grown = realloc(plain, n + 10);
    memset(grown, 'r', n + 10);
    mix(memchr(grown, 'q', n + 10) == NULL);
    free(grown);
    free(aligned);
    free(zeroed);
  }
  printf("foreign: %lu\n", checksum);
  return 0;
}

/* A large block read one byte past its end. */
static int run_large_overflow(void) {
  size_t n = 1 << 20;
  char* a = malloc(n);
  char* b = malloc(n + 1);
  memset(a, 'a', n);
  memset(b, 'a', n + 1);
  printf("large: %d\n", memcmp(a, b, n + 1) != 0);
  free(b);
  free(a);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (strcmp(argv[1], "vfork") == 0) return run_vfork();
  if (strcmp(argv[1], "signals") == 0) return run_signals(0);
  if (strcmp(argv[1], "signals-overflow") == 0) return run_signals(5);
  if (strcmp(argv[1], "threads") == 0) return run_threads();
  if (strcmp(argv[1], "dlopen") == 0 && argc > 2) return run_dlopen(argv[2]);
  if (strcmp(argv[1], "foreign") == 0) return run_foreign();
  if (strcmp(argv[1], "large-overflow") == 0) return run_large_overflow();
  return 2;
}
