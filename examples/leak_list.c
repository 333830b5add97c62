/* indirect leaks: a linked list whose head is lost. The head is a definite
 * leak; the 9 nodes behind it are indirect (freeing the head's list frees them). */
#include <stdlib.h>

struct node {
  struct node* next;
  long value[3];
};

__attribute__((noinline)) struct node* push_node(struct node* head, long value) {
  struct node* n = malloc(sizeof *n);
  n->next = head;
  n->value[0] = value;
  return n;
}

__attribute__((noinline)) void build_and_forget(void) {
  struct node* head = NULL;
  for (long i = 0; i < 10; ++i) head = push_node(head, i);
}

int main(void) {
  build_and_forget();
  return 0;
}
