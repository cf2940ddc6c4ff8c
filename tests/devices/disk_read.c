// Reads files from the root disk and checks every byte: a small text file and a large one
// (8 MiB in 64 KiB pieces). A second thread counts while the main thread reads the large
// file. The kernel is not preemptible, so the counter can move during a read() call only
// if the call gave up the CPU while the disk worked (a polling driver keeps it), or if the
// reader's time slice ended just then -- and then the counter runs a whole 10 ms slice
// before the reader returns. So, as tests/kernel/io_overlap.c does, it counts the read()
// calls shorter than 8 ms during which the counter moved, for information only: QEMU
// often completes a request before the driver would wait (the file is in the host's page
// cache), so a run may have few such calls. What the tests assert is the kernel's
// `core.devices` line (the device's interrupt mode; in that mode requests never poll, and
// a lost interrupt would stall each read for a minute). Used by the devices.* boot tests.
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
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
  setvbuf(stdout, NULL, _IOLBF, 0);
  size_t piece = 64 << 10;
  char* buf = malloc(piece);
  fd = open("/data/big.bin", O_RDONLY);
  if (!buf || fd < 0)
    return fail("open /data/big.bin");
  pthread_t thread;
  if (pthread_create(&thread, NULL, counter, NULL) != 0)
    return fail("pthread_create");
  unsigned long sleeping_reads = 0, reads = 0;
  size_t total = 0;
  while (g_count == 0) // the counter is running before the first read
    sched_yield();
  for (;;) {
    unsigned long before = g_count;
    long long t0 = now_us();
    n = read(fd, buf, piece);
    long long took = now_us() - t0;
    ++reads;
    if (g_count != before && took < 8000)
      ++sleeping_reads;
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
  printf("read() calls that let the other thread run: %lu of %lu\n", sleeping_reads, reads);
  printf("disk read test done\n");
  return 0;
}
