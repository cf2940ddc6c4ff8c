// Exits with the status given as its first argument (add_unikernel ARGS), after one line.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  int status = argc > 1 ? atoi(argv[1]) : 0;
  printf("xen exit test: exiting with %d\n", status);
  return status;
}
