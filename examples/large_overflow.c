/* heap-buffer-overflow of a large block, a read: large blocks always end
 * against an inaccessible page (alignment kept), so in every mode the read
 * past the end faults at the instruction. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) double* make_matrix(int n) {
  double* m = calloc((size_t)n * n, sizeof(double));
  return m;
}

__attribute__((noinline)) double trace_plus_one(const double* m, int n) {
  double t = 0;
  for (int i = 0; i <= n; ++i) t += m[i * n + i]; /* i == n: 256 doubles past the end */
  return t;
}

int main(void) {
  double* m = make_matrix(256); /* 512 KiB */
  printf("trace %f\n", trace_plus_one(m, 256));
  free(m);
  return 0;
}
