/* Every C library function debugmalloc checks, used correctly at the exact
 * bounds of heap, stack and global buffers: no report. Built twice: with
 * -O0 -fno-builtin (the plain functions) and with -O2 -D_FORTIFY_SOURCE=2
 * (the fortified __*_chk forms, where the compiler knows the buffer sizes). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wchar.h>

static unsigned long checksum;
static void mix(unsigned long v) { checksum = checksum * 31 + v; }

static volatile size_t four = 4, eight = 8, sixteen = 16;  /* sizes the compiler cannot fold */

static int format_v(char* dst, size_t n, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int r = n == (size_t)-1 ? vsprintf(dst, format, ap) : vsnprintf(dst, n, format, ap);
  va_end(ap);
  return r;
}

/* b16: 16 bytes, b8: 8 bytes, w: 4 wide characters, anywhere (heap, stack, globals). */
static void exercise(char* b16, char* b8, wchar_t* w) {
  memset(b16, 'a', sixteen);
  memcpy(b8, b16, eight);
  memmove(b16 + 8, b16, eight);
  mix((unsigned long)((char*)mempcpy(b8, b16 + 8, eight) - b8));
  mix((unsigned long)memcmp(b8, b16, eight) + (unsigned long)bcmp(b16, b8, eight));
  mix(memchr(b16, 'z', sixteen) == NULL);
  mix(strnlen(b8, eight)); /* no NUL in the 8 bytes: strnlen stops at its bound */
  mix((unsigned long)strncmp(b8, b16, eight));
  strcpy(b8, "1234567"); /* 7 characters and the NUL: exactly 8 */
  mix(strlen(b8));
  mix((unsigned long)strcmp(b8, "1234567"));
  mix(strchr(b8, '7') - b8);
  mix(strchr(b8, '\0') - b8);
  mix(strrchr(b8, '1') - b8);
  mix(stpcpy(b16, "123456789012345") - b16);
  strncpy(b8, "abc", eight); /* pads with NULs to 8 */
  mix((unsigned long)(stpncpy(b8, "abcdefgh", eight) - b8)); /* 8 bytes, no NUL */
  strcpy(b16, "abcdefgh");
  strcat(b16, "1234567"); /* 8 + 7 + NUL = 16 */
  strcpy(b16, "abcdefgh");
  strncat(b16, "1234567890", 7);
  char* copy = strdup(b16);
  mix(strlen(copy));
  free(copy);
  copy = strndup(b8, eight); /* the unterminated 8 bytes: strndup reads at most 8 */
  mix(strlen(copy));
  free(copy);
  wcscpy(w, L"xyz");
  mix(wcslen(w));
  mix((unsigned long)sprintf(b8, "%07d", 42));
  mix((unsigned long)snprintf(b8, eight, "%s", "truncated text"));
  mix((unsigned long)format_v(b16, (size_t)-1, "%015d", 7));
  mix((unsigned long)format_v(b16, sixteen, "%s-%s", "abcdefgh", "ijklmnopq"));
}

static void exercise_io(char* b16, char* path_buffer) {
  int fd = open("/proc/self/exe", O_RDONLY);
  mix((unsigned long)read(fd, b16, sixteen));
  mix((unsigned long)pread(fd, b16, sixteen, 1));
  close(fd);
  int pair[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
  mix((unsigned long)write(pair[0], "0123456789abcdef", 16));
  mix((unsigned long)recv(pair[1], b16, sixteen, 0));
  close(pair[0]);
  close(pair[1]);
  FILE* f = fopen("/proc/self/exe", "r");
  mix(fread(b16, 4, four, f));
  mix(fgets(b16, (int)sixteen, f) != NULL);
  fclose(f);
  f = fopen("/proc/self/maps", "r");
  char* line = NULL;
  size_t n = 0;
  mix(getline(&line, &n, f) > 0);
  char* exact = malloc(16);
  size_t exact_n = 16;
  mix(getline(&exact, &exact_n, f) > 0); /* grows it with realloc when the line is longer */
  free(exact);
  free(line);
  fclose(f);
  mix(realpath("/", path_buffer) != NULL);
  char* resolved = realpath(".", NULL);
  mix(resolved != NULL);
  free(resolved);
}

/* With the sizes known to the compiler (the fortified build calls the __*_chk forms). */
static void exercise_known_sizes(void) {
  char local[16];
  char* heap = malloc(16);
  memcpy(local, "0123456789abcdef", sixteen);
  memcpy(heap, local, sixteen);
  memmove(heap, local, sixteen);
  mempcpy(local, heap, sixteen);
  memset(heap, 0, sixteen);
  strcpy(heap, four > 3 ? "0123456789abcde" : "x");
  stpcpy(local, heap);
  strncpy(heap, local, sixteen);
  stpncpy(local, heap, sixteen);
  strcpy(heap, four > 3 ? "01234567" : "x");
  strcat(heap, four > 3 ? "89abcde" : "y");
  strcpy(heap, four > 3 ? "01234567" : "x");
  strncat(heap, local + 8, 7);
  sprintf(heap, "%015d", (int)four);
  snprintf(local, sixteen, "%s", heap);
  int fd = open("/proc/self/exe", O_RDONLY);
  mix((unsigned long)read(fd, heap, sixteen));
  mix((unsigned long)pread(fd, local, sixteen, 2));
  close(fd);
  FILE* f = fopen("/proc/self/exe", "r");
  mix(fread(heap, 1, sixteen, f));
  mix(fgets(local, (int)sixteen, f) != NULL);
  fclose(f);
  char* path = malloc(PATH_MAX);
  mix(realpath("/", path) != NULL);
  wchar_t wide[4];
  wcscpy(wide, four > 3 ? L"abc" : L"d");
  mix(wcslen(wide));
  mix((unsigned long)local[3] + (unsigned long)heap[5]);
  free(path);
  free(heap);
}

static char global16[16], global8[8], global_path[PATH_MAX];
static wchar_t global_wide[4];

int main(void) {
  char* heap16 = malloc(16);
  char* heap8 = malloc(8);
  wchar_t* heap_wide = malloc(4 * sizeof(wchar_t));
  char* heap_path = malloc(PATH_MAX);
  exercise(heap16, heap8, heap_wide);
  exercise_io(heap16, heap_path);
  char stack16[16], stack8[8], stack_path[PATH_MAX];
  wchar_t stack_wide[4];
  exercise(stack16, stack8, stack_wide);
  exercise_io(stack16, stack_path);
  exercise(global16, global8, global_wide);
  exercise_io(global16, global_path);
  exercise_known_sizes();
  free(heap_path);
  free(heap_wide);
  free(heap8);
  free(heap16);
  printf("libc-clean: done\n");
  return 0;
}
