// Reads every file named by an absolute-path argument (other arguments are ignored) and
// prints its first line, or the error its open or read gave. The exit status is the number
// of files that could not be read. Used by image_digest_test.py: a file whose data no longer
// matches its chunk digests must fail to read, the others must read normally.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int read_one(const char* path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("%s: open: %s\n", path, strerror(errno));
    return 1;
  }
  char data[4096];
  size_t have = 0;
  for (;;) {
    ssize_t n = read(fd, data + have, sizeof data - 1 - have);
    if (n < 0) {
      printf("%s: read: %s\n", path, strerror(errno));
      close(fd);
      return 1;
    }
    if (n == 0 || have + (size_t)n == sizeof data - 1) {
      have += (size_t)n;
      break;
    }
    have += (size_t)n;
  }
  close(fd);
  data[have] = 0;
  char* newline = strchr(data, '\n');
  if (newline)
    *newline = 0;
  printf("%s: %s\n", path, data);
  return 0;
}

int main(int argc, char** argv) {
  int failed = 0;
  for (int i = 1; i < argc; i++)
    if (argv[i][0] == '/')
      failed += read_one(argv[i]);
  return failed;
}
