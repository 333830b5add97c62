/* heap-corruption: a wild write smashes a block's header, so free() cannot
 * identify the block at all. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* make_block(void) { return malloc(24); }

/* 32 bytes before the block: its guard and the allocator's header for it. */
__attribute__((noinline)) void wild_write(char* p) { memset(p - 32, 0x41, 32); }

int main(void) {
  char* block = make_block();
  wild_write(block);
  free(block);
  return 0;
}
