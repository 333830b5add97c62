// C++ leaks: an object from new and an array from new[] that are never deleted.
#include <string>

struct Session {
  std::string user = "a user name long enough to live on the heap";
  int id = 0;
};

__attribute__((noinline)) Session* open_session() { return new Session; }
__attribute__((noinline)) int* make_counters() { return new int[50]; }

int main() {
  open_session();
  make_counters();
  return 0;
}
