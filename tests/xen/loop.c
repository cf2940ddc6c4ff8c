// Prints one line, then never exits: nanos-run --timeout must stop it (status 124).
#include <stdio.h>

int main(void) {
  printf("xen loop test: looping\n");
  fflush(stdout);
  for (volatile unsigned long i = 0;; ++i) {
  }
}
