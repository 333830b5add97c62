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

#include "findings.h" /* the structs of the *_each() calls */

#ifdef __cplusplus
extern "C" {
#endif

/* Implementations exported by libdebugmalloc.so; null when it is not loaded. */
int __debugmalloc_running(void) __attribute__((weak));
size_t __debugmalloc_check_heap(void) __attribute__((weak));
size_t __debugmalloc_error_count(void) __attribute__((weak));
size_t __debugmalloc_leak_check(void) __attribute__((weak));
unsigned __debugmalloc_mark(void) __attribute__((weak));
size_t __debugmalloc_leaks_since(unsigned mark, int print) __attribute__((weak));
void __debugmalloc_disable_leaks(void) __attribute__((weak));
void __debugmalloc_enable_leaks(void) __attribute__((weak));
int __debugmalloc_ignore_object(const void* pointer) __attribute__((weak));
size_t __debugmalloc_leaks_since_text(unsigned mark, char* text, size_t capacity) __attribute__((weak));
size_t __debugmalloc_errors_since_text(size_t since, char* text, size_t capacity) __attribute__((weak));
size_t __debugmalloc_leaks_since_each(unsigned mark, debugmalloc_finding_fn fn, void* context) __attribute__((weak));
size_t __debugmalloc_errors_since_each(size_t since, debugmalloc_finding_fn fn, void* context) __attribute__((weak));
void __debugmalloc_register_root_region(const void* begin, size_t size) __attribute__((weak));
int __debugmalloc_unregister_root_region(const void* begin, size_t size) __attribute__((weak));

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

/* Runs a leak check now (like the one at exit) and prints what it finds.
 * Returns the bytes of definite and indirect leaks (0: none). */
static inline size_t debugmalloc_leak_check(void) { return __debugmalloc_leak_check ? __debugmalloc_leak_check() : 0; }

/* Starts a new heap epoch and returns its number: debugmalloc_leaks_since()
 * then looks only at blocks allocated from that point on. */
static inline unsigned debugmalloc_mark(void) { return __debugmalloc_mark ? __debugmalloc_mark() : 0; }

/* Leak check of the blocks allocated since `mark` (from debugmalloc_mark()).
 * Returns the bytes of definite and indirect leaks among them; prints the
 * listing when `print` is non-zero. */
static inline size_t debugmalloc_leaks_since(unsigned mark, int print) {
  return __debugmalloc_leaks_since ? __debugmalloc_leaks_since(mark, print) : 0;
}

/* Like debugmalloc_leaks_since(), but the listing (kind, bytes, blocks and the
 * allocation stack of each group, symbolized) is written into `text` (at most
 * `capacity` bytes, NUL-terminated) instead of being printed. */
static inline size_t debugmalloc_leaks_since_text(unsigned mark, char* text, size_t capacity) {
  return __debugmalloc_leaks_since_text ? __debugmalloc_leaks_since_text(mark, text, capacity) : 0;
}

/* The heap errors that happened since debugmalloc_error_count() returned
 * `since`: returns how many, and writes the report of each distinct one into
 * `text` (at most `capacity` bytes, NUL-terminated). */
static inline size_t debugmalloc_errors_since_text(size_t since, char* text, size_t capacity) {
  return __debugmalloc_errors_since_text ? __debugmalloc_errors_since_text(since, text, capacity) : 0;
}

/* The structured forms of the two calls above: the same findings, each passed
 * to `fn` as one debugmalloc_finding (findings.h: kind, message, sizes, and
 * every stack as frames with module, offset, function, file and line), in the
 * order of the text. The finding and its strings are valid only during the
 * call of `fn`. `fn` runs in the calling thread, outside every lock of the
 * library, as the program's own code: it may allocate and free, and what it
 * allocates is an ordinary block of the program's (checked, and a leak if it
 * is never freed). It must not throw or longjmp out. `fn` may be NULL.
 *
 * debugmalloc_leaks_since_each() runs the leak check first, then calls `fn`
 * for each unsuppressed group of the reported kinds (leak_kinds), max_leaks
 * not applied; it returns the bytes of definite and indirect leaks.
 * debugmalloc_errors_since_each() calls `fn` for each distinct unsuppressed
 * error that happened since debugmalloc_error_count() returned `since` (errors
 * that `fn` itself causes are not passed to this walk), and returns how many
 * errors happened since then. */
static inline size_t debugmalloc_leaks_since_each(unsigned mark, debugmalloc_finding_fn fn, void* context) {
  return __debugmalloc_leaks_since_each ? __debugmalloc_leaks_since_each(mark, fn, context) : 0;
}
static inline size_t debugmalloc_errors_since_each(size_t since, debugmalloc_finding_fn fn, void* context) {
  return __debugmalloc_errors_since_each ? __debugmalloc_errors_since_each(since, fn, context) : 0;
}

/* Between these two calls, blocks allocated by the calling thread are never
 * reported as leaks (deliberate caches). Calls nest. */
static inline void debugmalloc_disable_leaks(void) {
  if (__debugmalloc_disable_leaks) __debugmalloc_disable_leaks();
}
static inline void debugmalloc_enable_leaks(void) {
  if (__debugmalloc_enable_leaks) __debugmalloc_enable_leaks();
}

/* The live block starting at `pointer` is never reported as a leak. Returns 1
 * if it is such a block. */
static inline int debugmalloc_ignore_object(const void* pointer) {
  return __debugmalloc_ignore_object ? __debugmalloc_ignore_object(pointer) : 0;
}

/* The leak check reads [begin, begin + size) as a root (what of it is mapped
 * and readable): blocks it points to are reachable. For memory the check does
 * not otherwise read, such as the inside of a heap block used as a pool. */
static inline void debugmalloc_register_root_region(const void* begin, size_t size) {
  if (__debugmalloc_register_root_region) __debugmalloc_register_root_region(begin, size);
}

/* Removes a region registered with exactly this start and size. Returns 1 if
 * there was one. */
static inline int debugmalloc_unregister_root_region(const void* begin, size_t size) {
  return __debugmalloc_unregister_root_region ? __debugmalloc_unregister_root_region(begin, size) : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* DEBUGMALLOC_DEBUGMALLOC_H */
