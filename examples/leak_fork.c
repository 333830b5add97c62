/* a leak in a forked child: the child gets its own report (its own pid). */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) void leak_in_child(void) { malloc(64); }

int main(void) {
  pid_t child = fork();
  if (child == 0) {
    leak_in_child();
    exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? 0 : 1;
}
