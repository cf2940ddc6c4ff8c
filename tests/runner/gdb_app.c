// A dynamic program for runner.gdb-attach: main calls into its own shared library
// (gdb_greet.c), then into libc (printf), which makes a write system call in the kernel.
#include <stdio.h>

int greet_twice(int x);

int main(int argc, char** argv) {
  (void)argv;
  int value = greet_twice(argc);
  printf("gdb app: value %d\n", value);
  return 0;
}
