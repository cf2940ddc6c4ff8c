// Prints what the kernel's network configuration left for programs: /etc/resolv.conf,
// line by line with a prefix the net.* boot tests match. The image is built with
// exec_wait_for_ip4_secs, so the program starts once the interface has its address (or
// the static one) and the file already follows the lease.
#include <stdio.h>
#include <string.h>

int main(void) {
  FILE* f = fopen("/etc/resolv.conf", "r");
  if (!f) {
    printf("resolv.conf: missing\n");
    return 1;
  }
  char line[256];
  int lines = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    printf("resolv.conf: %s\n", line);
    ++lines;
  }
  fclose(f);
  printf("net config test done (%d lines)\n", lines);
  return 0;
}
