// Dereferences a null pointer: the kernel reports the fault and the VM exits with 11
// (death by SIGSEGV).
#include <stdio.h>

int main(void) {
  printf("about to write through a null pointer\n");
  fflush(stdout);
  volatile int* volatile p = 0;
  *p = 42;
  printf("still alive?!\n");
  return 0;
}
