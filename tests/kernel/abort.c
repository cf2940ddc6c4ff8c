// abort(): glibc raises SIGABRT; with the default action the program dies with status 6.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("aborting now\n");
  fflush(stdout);
  abort();
}
