// Reads a file sequentially in 1 MiB pieces and prints the time it took (CLOCK_MONOTONIC),
// for disk_read_bench.sh.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/data/big.bin";
  size_t piece = 1 << 20;
  char* buf = malloc(piece);
  int fd = open(path, O_RDONLY);
  if (!buf || fd < 0) {
    perror(path);
    return 1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  size_t total = 0;
  ssize_t n;
  while ((n = read(fd, buf, piece)) > 0)
    total += (size_t)n;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (n < 0) {
    perror("read");
    return 1;
  }
  double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
  printf("disk-read %zu bytes in %.1f ms (%.1f MiB/s)\n", total, ms,
         total / 1048576.0 / (ms / 1e3));
  return 0;
}
