// operator new [] with a negative size: the throwing form throws
// std::bad_alloc, the nothrow form returns nullptr, as with the C++ library;
// both are reported and the program goes on.
#include <cstdio>
#include <new>

// A length read from input without a check: here -16.
static char* make_buffer(long length) { return new char[length]; }

static char* try_make_buffer(long length) { return new (std::nothrow) char[length]; }

int main(int argc, char**) {
  long length = -16L * argc;
  try {
    char* buffer = make_buffer(length);
    std::printf("new char[%ld]: a buffer\n", length);
    delete[] buffer;
  } catch (const std::bad_alloc&) {
    std::printf("new char[%ld]: std::bad_alloc\n", length);
  }
  char* maybe = try_make_buffer(length);
  std::printf("new (std::nothrow) char[%ld]: %s\n", length, maybe == nullptr ? "nullptr" : "a buffer");
  delete[] maybe;
  std::puts("still running");
  return 0;
}
