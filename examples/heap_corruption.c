/* heap-corruption: a wild write smashes a block's header, so free() cannot
 * identify the block at all. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* make_block(void) { return malloc(24); }

/* 32 bytes before the block: its guard and its header (a loop: memset() would be caught at the call). */
__attribute__((noinline)) void wild_write(volatile char* p) { for (int i = -32; i < 0; ++i) p[i] = 0x41; }

int main(void) {
  char* block = make_block();
  wild_write(block);
  free(block);
  return 0;
}
