/* findings.h: the structured findings of libdebugmalloc.so, as plain C structs.
 *
 * The types that debugmalloc_leaks_since_each() and debugmalloc_errors_since_each()
 * (debugmalloc.h) pass to their callback, one finding per call. Shared by the
 * library and the programs that call it; declares no function, so the library
 * includes it without the weak declarations of debugmalloc.h.
 *
 * Lifetime: a finding, its stacks and every string it points to belong to the
 * library and are valid only until the callback returns. Copy what you keep.
 */
#ifndef DEBUGMALLOC_FINDINGS_H
#define DEBUGMALLOC_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One frame of a stack, innermost first. */
typedef struct debugmalloc_frame {
  uintptr_t pc;         /* the return address as captured (the call is just before it) */
  const char* module;   /* absolute path of the loaded object holding pc; NULL if none */
  uintptr_t offset;     /* pc - the module's load base (0 without a module) */
  const char* function; /* demangled name; NULL if unknown (or the symbolize option is off) */
  const char* file;     /* source file from the debug information; NULL if unknown */
  unsigned line;        /* source line; 0 if unknown */
} debugmalloc_frame;

/* A stack: `count` frames (0: none was recorded). */
typedef struct debugmalloc_stack {
  const debugmalloc_frame* frames;
  size_t count;
} debugmalloc_stack;

/* One heap error (distinct: its first occurrence and the count of all) or one
 * leak group (the leaked blocks of one kind with one allocation stack). Fields
 * that do not apply are 0 / NULL / empty stacks. */
typedef struct debugmalloc_finding {
  size_t size;         /* sizeof(debugmalloc_finding) in the library: fields added later lie past it */
  int is_leak;         /* 1: a leak group; 0: a heap error */
  const char* kind;    /* the report file's kind name: "heap-buffer-overflow", "double-free", ...,
                          or for leaks "definite", "indirect", "possible", "reachable" */
  const char* message; /* the one line the library prints for it, without a line end */

  /* Heap errors. */
  const char* found_by;           /* who found it: "free()", "debugmalloc_check_heap()", ... */
  uintptr_t address;              /* the pointer passed, or the first bad byte; 0 for a bad request */
  int block_known;                /* 1 when the block below is known */
  uintptr_t block;                /* start of the block's user bytes */
  size_t block_size;              /* its requested size */
  size_t bad_bytes;               /* changed bytes (guards, freed memory); 0 if not applicable */
  unsigned long long occurrences; /* times this error happened so far */

  /* Leak groups. */
  size_t bytes; /* bytes and blocks of the group */
  size_t blocks;
  size_t indirect_bytes; /* definite groups: what freeing them would also free */
  size_t indirect_blocks;

  /* The stacks that exist for it. */
  debugmalloc_stack found_stack; /* errors: where it was found (empty for checks without a caller) */
  debugmalloc_stack alloc_stack; /* where the block was allocated (leaks: the group's stack; a
                                    heap-corruption: the overflowed block before the damaged slot,
                                    when there is one, with block_known 0) */
  debugmalloc_stack free_stack;  /* errors on a freed block: where it was freed */
} debugmalloc_finding;

/* Called once per finding; `context` is the caller's pointer, passed through. */
typedef void (*debugmalloc_finding_fn)(const debugmalloc_finding* finding, void* context);

#ifdef __cplusplus
}
#endif

#endif /* DEBUGMALLOC_FINDINGS_H */
