/* use-after-free of a large block: caught the moment it happens (even a read),
 * because a freed large block's pages are protected while it is quarantined.
 * The process then dies of the access, as it would with glibc (which unmaps
 * large blocks on free), and the report says which block and where. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char* load_image(void) {
  char* pixels = malloc(1 << 20);
  memset(pixels, 7, 1 << 20);
  return pixels;
}

__attribute__((noinline)) int brightness(const char* pixels) { return pixels[5000]; }

int main(void) {
  char* pixels = load_image();
  free(pixels);
  printf("brightness %d\n", brightness(pixels)); /* read after free */
  return 0;
}
