/* heap-buffer-overflow, a read: reading one element past the end of an array.
 * Guard bytes cannot see a read; with guard_pages=all (or when this block is
 * sampled, or a large block) it ends against an inaccessible page, and the read
 * faults at the instruction. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int* make_samples(int n) {
  int* samples = malloc(n * sizeof(int));
  for (int i = 0; i < n; ++i) samples[i] = i;
  return samples;
}

__attribute__((noinline)) long sum_samples(const int* samples, int n) {
  long sum = 0;
  for (int i = 0; i <= n; ++i) sum += samples[i]; /* <= : one past the end */
  return sum;
}

int main(void) {
  int* samples = make_samples(16); /* 64 bytes */
  printf("sum %ld\n", sum_samples(samples, 16));
  free(samples);
  return 0;
}
