// Threads with thread-local pointers to heap blocks: __thread and
// thread_local variables, pthread keys with destructors, and one thread that
// is still running at exit with its thread-local blocks live (reachable
// through its TLS, which lives in the thread's stack mapping). Everything is
// freed or reachable except one block dropped by leak_in_worker.
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static __thread char* tls_buffer;                 // C-style TLS, freed by the thread
static thread_local std::vector<int> tls_numbers;  // C++ TLS with a destructor
static thread_local std::string* tls_name;         // pointer in C++ TLS
static pthread_key_t key_with_destructor;
static char* main_tls_keep;
static __thread char* main_thread_tls;            // the main thread's copy stays live
static int park_pipe[2];

static void free_key_value(void* p) { free(p); }

static __attribute__((noinline)) void leak_in_worker(int id) {
  char* lost = static_cast<char*>(malloc(123));
  memset(lost, 'l', 123);
  lost[0] = static_cast<char>(id);
  lost = nullptr;
}

static __attribute__((noinline)) void scrub_stack() {
  volatile char junk[8192];
  for (size_t i = 0; i < sizeof junk; ++i) junk[i] = 0;
}

static void* worker(void* arg) {
  long id = reinterpret_cast<long>(arg);
  tls_buffer = static_cast<char*>(malloc(200));
  snprintf(tls_buffer, 200, "worker %ld", id);
  for (int i = 0; i < 100; ++i) tls_numbers.push_back(i * static_cast<int>(id));
  tls_name = new std::string(std::string("thread-name-that-is-long-enough-") + tls_buffer);
  pthread_setspecific(key_with_destructor, malloc(64));
  if (id == 2) leak_in_worker(static_cast<int>(id));
  scrub_stack();
  delete tls_name;
  tls_name = nullptr;
  free(tls_buffer);
  tls_buffer = nullptr;
  return nullptr;
}

static void* parked(void*) {
  // Holds its thread-local blocks until the process exits.
  tls_buffer = static_cast<char*>(malloc(300));
  strcpy(tls_buffer, "parked");
  for (int i = 0; i < 50; ++i) tls_numbers.push_back(i);
  tls_name = new std::string("a parked thread's name, long enough for the heap");
  pthread_setspecific(key_with_destructor, malloc(96));
  char c;
  while (read(park_pipe[0], &c, 1) < 0) {
  }
  return nullptr;
}

int main() {
  if (pipe(park_pipe) != 0) return 1;
  pthread_key_create(&key_with_destructor, free_key_value);
  main_thread_tls = static_cast<char*>(malloc(40));
  strcpy(main_thread_tls, "main");
  main_tls_keep = main_thread_tls;
  pthread_t parked_thread;
  pthread_create(&parked_thread, nullptr, parked, nullptr);
  pthread_t threads[4];
  for (long i = 0; i < 4; ++i) pthread_create(&threads[i], nullptr, worker, reinterpret_cast<void*>(i));
  for (auto& t : threads) pthread_join(t, nullptr);
  main_tls_keep = nullptr;  // only the main thread's TLS points to its block now
  std::printf("joined 4 workers, %s thread still parked\n", main_thread_tls);
  std::fflush(stdout);
  std::exit(0);  // the parked thread is still running
}
