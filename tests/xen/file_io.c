// Reads a mapped file and writes one, across two boots of the same image under Xen:
//   first boot (--persist; no /xen-out.txt): prints the mapped /etc/xen-in.txt and
//     writes its text, upper-cased, to /xen-out.txt
//   second boot: prints what the first one wrote, read back from the image's disk
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char* const kOut = "/xen-out.txt";

int main(void) {
  char text[256];
  int fd = open(kOut, O_RDONLY);
  if (fd >= 0) {
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    text[n > 0 ? n : 0] = 0;
    printf("read back: %s\n", text);
    return n > 0 ? 0 : 1;
  }
  fd = open("/etc/xen-in.txt", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
  if (n <= 0) {
    printf("cannot read /etc/xen-in.txt\n");
    return 2;
  }
  close(fd);
  text[n] = 0;
  if (n > 0 && text[n - 1] == '\n')
    text[--n] = 0;
  printf("mapped file: %s\n", text);
  for (ssize_t i = 0; i < n; ++i)
    text[i] = (char)toupper((unsigned char)text[i]);
  fd = open(kOut, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0 || write(fd, text, (size_t)n) != n || fsync(fd) != 0 || close(fd) != 0) {
    printf("cannot write %s\n", kOut);
    return 3;
  }
  printf("wrote %s\n", kOut);
  return 0;
}
