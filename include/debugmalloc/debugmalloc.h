/* debugmalloc.h: the runtime API of libdebugmalloc.so.
 *
 * Every function is weak-linked: a program that uses this header runs
 * unchanged without the library (the calls then do nothing and return 0), and
 * needs no link flag. Under the library (LD_PRELOAD or `debugmalloc run`) the
 * calls reach it.
 */
#ifndef DEBUGMALLOC_DEBUGMALLOC_H
#define DEBUGMALLOC_DEBUGMALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Implementations exported by libdebugmalloc.so; null when it is not loaded. */
int __debugmalloc_running(void) __attribute__((weak));
size_t __debugmalloc_check_heap(void) __attribute__((weak));
size_t __debugmalloc_error_count(void) __attribute__((weak));

/* 1 when the program runs under libdebugmalloc.so. */
static inline int debugmalloc_running(void) { return __debugmalloc_running ? __debugmalloc_running() : 0; }

/* Checks every block now: guards of live blocks, the free fill of quarantined
 * ones, every header. Reports what it finds like any other error and returns
 * the number of errors found by this check. */
static inline size_t debugmalloc_check_heap(void) { return __debugmalloc_check_heap ? __debugmalloc_check_heap() : 0; }

/* Heap errors reported so far in this process. */
static inline size_t debugmalloc_error_count(void) {
  return __debugmalloc_error_count ? __debugmalloc_error_count() : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* DEBUGMALLOC_DEBUGMALLOC_H */
