// Two threads: the main thread reads a large file while a second one computes; both must
// make progress, and the reader must sleep while the disk works instead of spinning.
//
// The kernel is not preemptible, so the computing thread can run during one of the
// reader's read() calls only if that call gave up the CPU (a driver that busy-polls the
// device keeps it for the whole call), or if the reader's time slice ended just then (a
// "handoff"): the timer interrupt that came due in the kernel is taken at the first user
// instruction after the call, and the computer then runs a whole slice (10 ms) before the
// reader gets the CPU back. A polling driver therefore lets the computer run only in
// handoffs, and each handoff puts at least 10 ms of the computer into one read call's
// window. Either of two counts proves the reader slept, and neither can be reached by
// handoffs alone (a loaded host only stretches windows, it never shortens them):
//  - read calls shorter than a slice during which the computer's counter moved;
//  - read calls of any length during which it moved, beyond the number of handoffs the
//    read phase had room for (one per 10 ms of it, plus one).
// Under TCG an unthrottled virtio disk answers about as fast as the guest switches
// threads, so the computer would rarely get in before the completion hands the CPU back:
// the boot test throttles reads to 16 MB/s (about 2 ms per 32 KiB call), so each call
// really waits for the device.
//
// Also prints, for information, the computer's rate alone and during the whole read phase
// (noisy on a loaded host, so not a pass criterion). Exits 0 when the file read back
// exactly and the reader was seen sleeping.
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIN_SHORT_SLEEPING_READS 2
#define SLICE_US 10000 // the kernel's time slice
#define SHORTER_THAN_A_SLICE_US 9500
#define LINE "io-overlap test data: every 64-byte line of this file is alike.\n"
#define CHUNK (32 * 1024)

static atomic_ulong g_progress;
static atomic_int g_stop;

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

static void* compute(void* arg) {
  (void)arg;
  unsigned long x = 1;
  while (!atomic_load_explicit(&g_stop, memory_order_relaxed)) {
    for (int i = 0; i < 10; ++i) // small units: even a short run of it shows
      x = x * 6364136223846793005UL + 1442695040888963407UL;
    atomic_fetch_add_explicit(&g_progress, 1, memory_order_relaxed);
  }
  return (void*)x;
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/data/big.txt";
  static char pattern[CHUNK], buf[CHUNK];
  const size_t line_len = strlen(LINE); // 64: every chunk starts at a line boundary
  for (size_t off = 0; off < CHUNK; off += line_len)
    memcpy(pattern + off, LINE, line_len);

  pthread_t computer;
  if (pthread_create(&computer, NULL, compute, NULL) != 0) {
    printf("io-overlap: pthread_create failed\n");
    return 2;
  }
  sleep_ms(50); // let it start
  unsigned long a0 = atomic_load(&g_progress);
  long long ta = now_us();
  sleep_ms(300);
  double alone = (atomic_load(&g_progress) - a0) * 1000.0 / (double)(now_us() - ta);

  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("io-overlap: cannot open %s\n", path);
    return 2;
  }
  size_t total = 0;
  int bad = 0, reads = 0, short_sleeping_reads = 0, sleeping_reads = 0;
  unsigned long p0 = atomic_load(&g_progress);
  long long t0 = now_us();
  for (;;) {
    // The timed span encloses the span in which progress counts: a handoff just before or
    // after the call still lands inside `took`.
    long long started = now_us();
    unsigned long before = atomic_load(&g_progress);
    ssize_t n = read(fd, buf, sizeof buf);
    unsigned long after = atomic_load(&g_progress);
    long long took = now_us() - started;
    if (after != before) { // the computer ran within this call's window
      ++sleeping_reads;
      short_sleeping_reads += took < SHORTER_THAN_A_SLICE_US;
    }
    if (n <= 0) {
      bad |= n < 0;
      break;
    }
    ++reads;
    bad |= memcmp(buf, pattern, (size_t)n) != 0;
    total += (size_t)n;
  }
  long long read_us = now_us() - t0;
  double during = (atomic_load(&g_progress) - p0) * 1000.0 / (double)read_us;
  close(fd);
  atomic_store(&g_stop, 1);
  pthread_join(computer, NULL);

  printf("io-overlap: read %zu bytes in %d calls, %lld ms (%s)\n", total, reads, read_us / 1000,
         bad ? "CORRUPT" : "content ok");
  long long max_handoffs = read_us / SLICE_US + 1;
  printf("io-overlap: the computer ran during %d read calls (handoffs explain at most %lld), "
         "%d of them shorter than a slice\n",
         sleeping_reads, max_handoffs, short_sleeping_reads);
  printf("io-overlap: computer %.1f units/ms alone, %.1f while reading (%d%%)\n", alone, during,
         alone > 0 ? (int)(100.0 * during / alone) : 0);
  if (bad || total < 16u << 20 || alone <= 0 || during <= 0)
    return 1;
  if (short_sleeping_reads < MIN_SHORT_SLEEPING_READS && sleeping_reads <= max_handoffs) {
    printf("io-overlap: the reader kept the CPU while waiting for the disk\n");
    return 1;
  }
  printf("io-overlap: both made progress\n");
  return 0;
}
