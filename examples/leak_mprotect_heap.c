/* Memory the program made inaccessible: one page of a heap block of each
 * kind of zone (24 bytes: TINY, 1000 and 20000 bytes: SMALL, 300000 bytes:
 * LARGE) is made PROT_NONE (LEAK_CASE=mprotect, the default) or unmapped
 * (LEAK_CASE=munmap), and the program exits. The checks at exit must pass
 * over those pages without crashing, and still report the real leak: one
 * 40-byte block. Nothing is allocated after the pages are hidden. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const size_t sizes[4] = {24, 1000, 20000, 300000};
static char* blocks[4];           /* reachable: not leaks */
static char* passed_over[128];    /* blocks on the leaked block's page: reachable too */
static uintptr_t forty_page_number; /* the leaked block's page, as a page number (not a pointer) */

__attribute__((noinline)) void leak_forty(size_t page) {
  char* volatile block = malloc(40);
  memset(block, 'x', 40);
  forty_page_number = (uintptr_t)block / page;
  block = NULL;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0); /* no stdio buffer on the heap */
  const char* how = getenv("LEAK_CASE");
  int unmap = how != NULL && strcmp(how, "munmap") == 0;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  leak_forty(page);
  uintptr_t hide[4];
  int passed = 0;
  for (int i = 0; i < 4; ++i) {
    /* A page of the block: the one it starts in for the small ones, one wholly inside for the others. */
    for (int attempt = 0; attempt < 32; ++attempt) {
      if (blocks[i] != NULL) passed_over[passed++] = blocks[i];
      blocks[i] = malloc(sizes[i]);
      memset(blocks[i], 'a' + i, sizes[i]);
      uintptr_t start = (uintptr_t)blocks[i];
      hide[i] = sizes[i] < 2 * page ? start / page * page : (start + page - 1) / page * page;
      if (hide[i] / page != forty_page_number) break;
    }
  }
  for (int i = 0; i < 4; ++i) {
    int failed = unmap ? munmap((void*)hide[i], page) : mprotect((void*)hide[i], page, PROT_NONE);
    if (failed != 0) return 3;
  }
  printf("%s one page of a %zu, %zu, %zu and %zu-byte block\n", unmap ? "unmapped" : "protected", sizes[0],
         sizes[1], sizes[2], sizes[3]);
  return 0;
}
