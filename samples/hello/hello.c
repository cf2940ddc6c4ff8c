// The first program every user tries: prints a greeting and its arguments.
#include <stdio.h>

int main(int argc, char** argv) {
  printf("Hello from a Nanos unikernel!\n");
  for (int i = 1; i < argc; i++)
    printf("argv[%d] = %s\n", i, argv[i]);
  return 0;
}
