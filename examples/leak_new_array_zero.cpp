// LeakSanitizer's rule for new T[0]: for a T with a destructor, operator new[]
// allocates only the array cookie (the element count) and the program keeps a
// pointer just past it, the end of the block. That pointer keeps the block: it
// is not a leak. A plain malloc(8) block with only a pointer just past its end
// is lost (definite).
#include <cstdio>
#include <cstdlib>
#include <cstring>

struct Tracked {
  ~Tracked() { std::puts("destroyed"); }
  int value = 0;
};

Tracked* empty_array;  // new Tracked[0]: points just past the cookie
char* past_the_end;    // malloc(8) + 8

__attribute__((noinline)) void make_empty_array() { empty_array = new Tracked[0]; }

__attribute__((noinline)) void make_past_the_end() {
  char* block = static_cast<char*>(std::malloc(8));
  std::memset(block, 'e', 8);
  past_the_end = block + 8;
}

int main() {
  make_empty_array();
  make_past_the_end();
  std::printf("an empty array of a type with a destructor, and a pointer past an 8-byte block\n");
  return 0;
}
