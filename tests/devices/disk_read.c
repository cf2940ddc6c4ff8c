// Reads files from the root disk and checks every byte: a small text file and a large one
// (read in 1 MiB pieces, so the driver has many requests in flight). A second thread
// counts while the main thread reads the large file for the first time: if the disk
// driver sleeps until the device's interrupt, that thread runs meanwhile; a driver that
// polls keeps the CPU inside read() and the count stays put. Used by the devices.*
// boot tests on each disk controller and interrupt mode.
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// The large file is this 64-byte block repeated (tests/devices/CMakeLists.txt writes it).
static const char kBlock[] = "nanos disk test block: 0123456789 abcdefghijklmnopqrstuvwxyz...\n";
static volatile unsigned long g_count;
static volatile int g_stop;

static void* counter(void* arg) {
  (void)arg;
  while (!g_stop)
    ++g_count;
  return NULL;
}

static int fail(const char* what) {
  printf("FAIL %s\n", what);
  return 1;
}

int main(void) {
  char small[256];
  int fd = open("/etc/test-data.txt", O_RDONLY);
  if (fd < 0)
    return fail("open /etc/test-data.txt");
  ssize_t n = read(fd, small, sizeof(small) - 1);
  close(fd);
  if (n <= 0)
    return fail("read /etc/test-data.txt");
  small[n] = 0;
  printf("small file: %s", small);

  if (sizeof(kBlock) - 1 != 64)
    return fail("block size");
  size_t piece = 1 << 20;
  char* buf = malloc(piece);
  fd = open("/data/big.bin", O_RDONLY);
  if (!buf || fd < 0)
    return fail("open /data/big.bin");
  pthread_t thread;
  if (pthread_create(&thread, NULL, counter, NULL) != 0)
    return fail("pthread_create");
  unsigned long during_reads = 0;
  size_t total = 0;
  for (;;) {
    unsigned long before = g_count;
    n = read(fd, buf, piece);
    during_reads += g_count - before;
    if (n < 0)
      return fail("read /data/big.bin");
    if (n == 0)
      break;
    if (n % 64 != 0)
      return fail("short read inside the file");
    for (ssize_t off = 0; off < n; off += 64)
      if (memcmp(buf + off, kBlock, 64) != 0) {
        printf("FAIL content at offset %zu\n", total + (size_t)off);
        return 1;
      }
    total += (size_t)n;
  }
  g_stop = 1;
  pthread_join(thread, NULL);
  close(fd);
  printf("large file: %zu bytes, every block right\n", total);
  printf("other thread ran during disk reads: %s\n", during_reads ? "yes" : "no");
  printf("disk read test done\n");
  return 0;
}
