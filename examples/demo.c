/* The demo: a tiny address book with four classic heap bugs. `make demo` runs
 * it under debugmalloc; the program itself runs to the end and prints its
 * output, while each bug is reported the moment it is found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct contact {
  char* name;
  char* phone;
  struct contact* next;
};

static struct contact* book;

__attribute__((noinline)) static char* copy_string(const char* s) {
  char* copy = malloc(strlen(s) + 1);
  strcpy(copy, s);
  return copy;
}

__attribute__((noinline)) static char* make_title(int count) {
  char* title = malloc(16);
  snprintf(title, 17, "%d contacts in the book", count); /* bug 1: 17 bytes into 16 */
  return title;
}

__attribute__((noinline)) static void add_contact(const char* name, const char* phone) {
  struct contact* c = malloc(sizeof *c);
  c->name = copy_string(name);
  c->phone = copy_string(phone);
  c->next = book;
  book = c;
}

__attribute__((noinline)) static void remove_first(void) {
  struct contact* first = book;
  book = first->next;
  free(first->name);
  free(first->phone);
  free(first);
  first->next = NULL; /* bug 2: write after free */
}

__attribute__((noinline)) static void print_book(void) {
  for (struct contact* c = book; c != NULL; c = c->next) printf("%-8s %s\n", c->name, c->phone);
}

int main(void) {
  add_contact("alice", "555-0100");
  add_contact("bob", "555-0199");
  add_contact("carol", "555-0123");
  remove_first();
  char* title = make_title(2);
  printf("%s\n", title);
  free(title);
  print_book();
  char* note = copy_string("call back");
  free(note);
  free(note); /* bug 3: double free */
  book = NULL; /* bug 4: the whole list leaks */
  return 0;
}
