// Ends the way its argument says, for the exit-status tests (tests/runner/exact_status_test.sh):
//   exit_with N          exit(N)
//   exit_with return-1   return -1 from main (status 255)
//   exit_with segv       a write through a null pointer (SIGSEGV: a shell says 139)
//   exit_with abort      abort() (SIGABRT: 134)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: exit_with N|return-1|segv|abort\n");
    return 2;
  }
  const char* how = argv[1];
  printf("exit_with: %s\n", how);
  fflush(stdout);
  if (strcmp(how, "return-1") == 0)
    return -1;
  if (strcmp(how, "segv") == 0) {
    volatile int* nowhere = NULL;
    *nowhere = 1;
    return 3; // not reached
  }
  if (strcmp(how, "abort") == 0)
    abort();
  exit(atoi(how));
}
