// One process: fork, vfork, execve and clone without CLONE_VM fail with ENOSYS (with the
// manifest's trace flag the kernel says why on the console).
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  int refused = 0;
  errno = 0;
  if (fork() == -1 && errno == ENOSYS)
    refused++;
  errno = 0;
  if (syscall(SYS_vfork) == -1 && errno == ENOSYS)
    refused++;
  char* argv[] = {"/bin/true", NULL};
  errno = 0;
  if (execve("/bin/true", argv, argv + 1) == -1 && errno == ENOSYS)
    refused++;
  errno = 0;
  if (syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0) == -1 && errno == ENOSYS)
    refused++;
  printf("refused %d of 4\n", refused);
  return refused == 4 ? 0 : 1;
}
