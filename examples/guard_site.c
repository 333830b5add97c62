/* guard_pages=site: a record written one byte too far, three times. The first
 * overflow is found when the record is freed (guard bytes); from then on the
 * records allocated at that call site get guard pages, and the next overflow
 * faults at the instruction. guard_sites=FILE starts with the sites of an
 * earlier report. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) char* make_record(void) { return malloc(32); }

__attribute__((noinline)) void fill_record(char* record, int n) {
  for (int i = 0; i < n; ++i) record[i] = 'x';
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 33; /* 33: one byte too many */
  for (int round = 0; round < 3; ++round) {
    char* record = make_record();
    fill_record(record, n);
    free(record);
    fprintf(stderr, "round %d done\n", round);
  }
  return 0;
}
