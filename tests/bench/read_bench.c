// Reads a file start to end in 1 MiB read() calls and prints the rate, for issue12_bench.sh
// (the disk path: page cache-less TFS reads, the block driver, its completion).
//   read_bench FILE  ->  "read-file <MiB/s> MiB/s <bytes> bytes <ms> ms"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: read_bench FILE\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) {
    perror(argv[1]);
    return 1;
  }
  static char buf[1 << 20];
  unsigned long long total = 0, sum = 0;
  double t0 = now_s();
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      perror("read");
      return 1;
    }
    if (n == 0)
      break;
    total += (unsigned long long)n;
    for (ssize_t i = 0; i < n; i += 4096) // touch every page: the data must really arrive
      sum += (unsigned char)buf[i];
  }
  double s = now_s() - t0;
  printf("read-file %.1f MiB/s %llu bytes %.0f ms (sum %llu)\n", total / s / 1048576.0, total,
         s * 1e3, sum);
  return 0;
}
