/* C functions named like C++ type codes: abi::__cxa_demangle reads a bare "f"
 * as "float", "i" as "int" and "d" as "double". The reports must name them
 * f, i and d. d allocates, called by i, called by f: f leaks one block and
 * overflows another, which is found when f frees it. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* d(size_t size) { return malloc(size); }

__attribute__((noinline)) char* i(size_t size) { return d(size); }

__attribute__((noinline)) void f(void) {
  char* lost = i(48);
  memset(lost, 'x', 48);
  lost = NULL; /* a definite leak of 48 bytes, allocated at d <- i <- f */
  char* name = i(13);
  strcpy(name, "hello, world!"); /* 13 characters + the terminating NUL = 14 bytes */
  free(name);                    /* the overflow is found here */
  (void)lost;
}

int main(void) {
  f();
  return 0;
}
