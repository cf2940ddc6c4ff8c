// Exits with status 3: nanos-run must return 3, and run-exit-status must fail.
#include <stdio.h>

int main(void) {
  printf("exiting with status 3\n");
  return 3;
}
