// alloc-dealloc-mismatch: memory released with the wrong API.
#include <cstdlib>

struct Widget {
  int id = 0;
  ~Widget() {}
};

__attribute__((noinline)) Widget* make_widgets() { return new Widget[4]; }
__attribute__((noinline)) void destroy_widgets(Widget* w) { delete w; }  // should be delete[]

__attribute__((noinline)) char* make_c_string() { return static_cast<char*>(std::malloc(8)); }
__attribute__((noinline)) void destroy_c_string(char* s) { delete[] s; }  // should be free()

int main() {
  destroy_widgets(make_widgets());
  destroy_c_string(make_c_string());
  return 0;
}
