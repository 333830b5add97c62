/* Range checks on the buffers the C library fills: read, pread, recv, fread,
 * fgets and getline are given a size larger than their heap buffer, realpath a
 * buffer smaller than PATH_MAX. Reported at the call, whatever the input turns
 * out to be: the size given is what the kernel or stdio may write. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((noinline)) char* make_buffer(size_t n) { return malloc(n); }

__attribute__((noinline)) ssize_t read_block(int fd, char* buf) { return read(fd, buf, 64); }
__attribute__((noinline)) ssize_t read_at(int fd, char* buf) { return pread(fd, buf, 48, 0); }
__attribute__((noinline)) ssize_t receive(int fd, char* buf) { return recv(fd, buf, 40, 0); }
__attribute__((noinline)) size_t read_record(FILE* f, char* buf) { return fread(buf, 4, 12, f); }
__attribute__((noinline)) char* read_line(FILE* f, char* buf) { return fgets(buf, 128, f); }
__attribute__((noinline)) ssize_t read_whole_line(FILE* f, char** line, size_t* n) { return getline(line, n, f); }
__attribute__((noinline)) char* resolve(const char* path, char* out) { return realpath(path, out); }

int main(void) {
  /* A short input: the calls write less than their buffers hold, and are still wrong. */
  char name[] = "/tmp/debugmalloc-libc-input-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0 || write(fd, "line one\nline two\n", 18) != 18) return 1;
  unlink(name);
  lseek(fd, 0, SEEK_SET);
  char* block = make_buffer(32);
  read_block(fd, block);
  read_at(fd, block);
  int pair[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
  if (write(pair[0], "ping", 4) != 4) return 1;
  receive(pair[1], block);
  lseek(fd, 0, SEEK_SET);
  FILE* f = fdopen(fd, "r");
  char* record = make_buffer(40);
  read_record(f, record);
  char* line = make_buffer(64);
  read_line(f, line);
  size_t capacity = 256; /* the buffer has 16 bytes, not 256 */
  char* whole = make_buffer(16);
  read_whole_line(f, &whole, &capacity);
  char* resolved = make_buffer(64);
  resolve("/", resolved);
  printf("read\n");
  fclose(f);
  free(resolved);
  free(whole);
  free(line);
  free(record);
  free(block);
  return 0;
}
