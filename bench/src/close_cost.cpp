// What close() costs, for the kernel-held table's lookup (docs/performance.md).
//   bench-closecost [PAIRS] [MODE]
// MODE plain       PAIRS dup()/close() pairs of one eventfd (the cheapest close there is:
//                  not the file's last descriptor), timed as a loop, in ns per pair;
//                  nothing registered with epoll (under the library: close finds no table)
//      table       the same after one other eventfd was registered in an epoll instance
//                  (close looks at its descriptor's cell)
//      registered  PAIRS eventfds each registered in an epoll instance and closed, each
//                  close timed alone (clock_gettime around it), in ns per close: close
//                  drops an entry, and the kernel its registration
// bench/close_cost.py runs it under glibc and the libraries to compare, alternating.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

double now_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

bool add(int epfd, int fd, uint64_t data) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = data;
  return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  long pairs = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1000000;
  const char* mode = argc > 2 ? argv[2] : "plain";
  bool registered = std::strcmp(mode, "registered") == 0;
  if (!registered && std::strcmp(mode, "table") != 0 && std::strcmp(mode, "plain") != 0) {
    std::fprintf(stderr, "usage: bench-closecost [PAIRS] [plain|table|registered]\n");
    return 2;
  }
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  int base = eventfd(0, EFD_CLOEXEC);
  if (epfd < 0 || base < 0) return 2;
  if (std::strcmp(mode, "table") == 0 && !add(epfd, base, 1)) return 2;
  if (registered) {
    double closing = 0;
    for (long i = 0; i < pairs; ++i) {
      int fd = eventfd(0, EFD_CLOEXEC);
      if (fd < 0 || !add(epfd, fd, static_cast<uint64_t>(i))) return 3;
      double before = now_ns();
      close(fd);
      closing += now_ns() - before;
    }
    std::printf("%s: %ld closes, %.1f ns per close\n", mode, pairs, closing / static_cast<double>(pairs));
    return 0;
  }
  double began = now_ns();
  for (long i = 0; i < pairs; ++i) {
    int fd = dup(base);
    if (fd < 0) return 3;
    close(fd);
  }
  std::printf("%s: %ld pairs, %.1f ns per dup/close pair\n", mode, pairs,
              (now_ns() - began) / static_cast<double>(pairs));
  return 0;
}
