// The first program every user tries: prints a greeting, its arguments and one
// environment variable set through add_unikernel(ENV ...).
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  printf("Hello from a Nanos unikernel!\n");
  for (int i = 1; i < argc; i++)
    printf("argv[%d] = %s\n", i, argv[i]);
  const char* greeting = getenv("GREETING");
  printf("GREETING = %s\n", greeting ? greeting : "(unset)");
  return 0;
}
