// System-call micro-benchmarks for tests/bench/abi_bench.sh (issue 19): the same binary in
// one image, booted with our kernel and with upstream Nanos' kernel.
//   abi_bench [DATA_FILE] [WINDOW_MS] [ONLY]
// DATA_FILE (default /bench/data/file) is an existing file for open+close and stat; each
// benchmark runs nine windows of WINDOW_MS (default 40) guest milliseconds, timed with
// clock_gettime(CLOCK_MONOTONIC); ONLY runs just the benchmark of that name (for
// kernel_profile.sh). Each prints one line
//   abi NAME NS unit (median of 9 windows, min A, max B; N ops)
// where NS is the median window's nanoseconds per operation (per round trip for the
// ping-pongs, per batch of 32 for io_uring). The first line, clock-check-user-loop, times
// user code only: equal under both kernels when their clocks agree. A benchmark the kernel
// cannot run prints
//   abi NAME n/a (why)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { kWindows = 9 };
static double window_ns = 40e6;
static const char* data_file = "/bench/data/file";
static const char* only = NULL;

static int wanted(const char* name) {
  return !only || strcmp(only, name) == 0;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int compare_doubles(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

// One operation of a benchmark; returns 0, or an errno that makes the benchmark "n/a".
typedef int (*Operation)(void);

// Runs OP in windows of window_ns; ops between clock reads come in chunks of CHUNK so that
// reading the clock stays a small part of each window. The median window is the figure: a
// window the host disturbed (another VM's burst, a timer storm) moves neither kernel's row.
static void run(const char* name, const char* unit, Operation op, int chunk) {
  if (!wanted(name))
    return;
  double per_op[kWindows];
  long total = 0;
  for (int w = 0; w < kWindows; ++w) {
    long ops = 0;
    double start = now_ns(), elapsed;
    do {
      for (int i = 0; i < chunk; ++i) {
        int error = op();
        if (error) {
          printf("abi %s n/a (%s)\n", name, strerror(error));
          return;
        }
      }
      ops += chunk;
      elapsed = now_ns() - start;
    } while (elapsed < window_ns);
    per_op[w] = elapsed / ops;
    total += ops;
  }
  qsort(per_op, kWindows, sizeof per_op[0], compare_doubles);
  printf("abi %s %.0f %s (median of %d windows, min %.0f, max %.0f; %ld ops)\n", name,
         per_op[kWindows / 2], unit, kWindows, per_op[0], per_op[kWindows - 1], total);
  fflush(stdout);
}

static int errno_of(long result) {
  return result < 0 ? errno : 0;
}

// Upstream Nanos has no getppid: there the call takes its "not implemented" path and returns
// ENOSYS, which is still a system call that does nothing, so both count as the null call.
static int op_getppid(void) {
  long result = syscall(SYS_getppid);
  return result < 0 && errno != ENOSYS ? errno : 0;
}
static int op_getpid(void) {
  return errno_of(syscall(SYS_getpid));
}

// Pure user code, no system call: 100 000 dependent multiply-adds. The same translated code
// runs under both kernels, so its time checks that the two kernels' clocks agree (a
// miscalibrated guest clock would scale every other line of that kernel).
static int op_user_loop(void) {
  uint64_t x = 1;
  for (int i = 0; i < 100000; ++i) {
    x = x * 6364136223846793005u + 1442695040888963407u;
    __asm__ volatile("" : "+r"(x));
  }
  return 0;
}

// The clock check against the host's clock: a fixed amount of user code between two lines
// that abi_bench.sh timestamps on the host as they arrive; the guest prints how long its
// own clock says the work took. A guest clock that runs fast or slow shows as a ratio
// far from 1 (one line of console output takes well under the 1-2 s measured).
static void clock_mark(void) {
  if (!wanted("clock-check-host"))
    return;
  printf("abi-clock-mark start\n");
  double start = now_ns();
  for (int i = 0; i < 2000; ++i)
    op_user_loop();
  printf("abi-clock-mark end %.0f\n", now_ns() - start);
}

static int op_open_close(void) {
  int fd = open(data_file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  return errno_of(close(fd));
}

static int op_stat(void) {
  struct stat st;
  return errno_of(stat(data_file, &st));
}

static int op_mmap_touch_munmap(void) {
  volatile char* page =
      mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED)
    return errno;
  page[0] = 1; // the first touch: a page fault that allocates and zeroes the page
  return errno_of(munmap((void*)page, 4096));
}

// epoll_wait on a set holding one pipe whose read end always has a byte waiting
// (level-triggered): each call finds it ready and returns at once.
static int epoll_fd = -1;
static int op_epoll_wait(void) {
  struct epoll_event event;
  int n = epoll_wait(epoll_fd, &event, 1, 0);
  if (n < 0)
    return errno;
  return n == 1 ? 0 : EAGAIN;
}

static int setup_epoll(void) {
  int fds[2];
  if (pipe(fds) != 0)
    return errno;
  if (write(fds[1], "x", 1) != 1)
    return errno;
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0)
    return errno;
  struct epoll_event event = {.events = EPOLLIN, .data.fd = fds[0]};
  return errno_of(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[0], &event));
}

// --- two threads handing a token back and forth -------------------------------------------

// Pipe ping-pong: main writes a byte into `there`, the partner reads it and answers into
// `back`. One operation is a round trip: two writes, two reads, two thread switches.
static int there[2], back[2];

static void* pipe_partner(void* arg) {
  (void)arg;
  char byte;
  while (read(there[0], &byte, 1) == 1 && byte != 'q')
    if (write(back[1], &byte, 1) != 1)
      break;
  return NULL;
}

static int op_pipe_round_trip(void) {
  char byte = 'p';
  if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1)
    return errno ? errno : EIO;
  return 0;
}

// Futex ping-pong: token 1 = the partner's turn, 0 = main's, 2 = stop. One operation is a
// round trip: a wake and a wait on each side.
static atomic_int token;

static long futex(atomic_int* word, int op, int value) {
  return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

static void* futex_partner(void* arg) {
  (void)arg;
  for (;;) {
    int seen;
    while ((seen = atomic_load(&token)) == 0)
      futex(&token, FUTEX_WAIT_PRIVATE, 0);
    if (seen == 2)
      return NULL;
    atomic_store(&token, 0);
    futex(&token, FUTEX_WAKE_PRIVATE, 1);
  }
}

static int op_futex_round_trip(void) {
  atomic_store(&token, 1);
  if (futex(&token, FUTEX_WAKE_PRIVATE, 1) < 0)
    return errno;
  while (atomic_load(&token) == 1)
    if (futex(&token, FUTEX_WAIT_PRIVATE, 1) < 0 && errno != EAGAIN && errno != EINTR)
      return errno;
  return 0;
}

static void bench_pipe_ping_pong(void) {
  if (!wanted("pipe-ping-pong"))
    return;
  pthread_t partner;
  if (pipe(there) != 0 || pipe(back) != 0 ||
      pthread_create(&partner, NULL, pipe_partner, NULL) != 0) {
    printf("abi pipe-ping-pong n/a (%s)\n", strerror(errno));
    return;
  }
  run("pipe-ping-pong", "ns/round-trip", op_pipe_round_trip, 16);
  if (write(there[1], "q", 1) == 1)
    pthread_join(partner, NULL);
}

static void bench_futex_ping_pong(void) {
  if (!wanted("futex-ping-pong"))
    return;
  pthread_t partner;
  if (pthread_create(&partner, NULL, futex_partner, NULL) != 0) {
    printf("abi futex-ping-pong n/a (pthread_create)\n");
    return;
  }
  run("futex-ping-pong", "ns/round-trip", op_futex_round_trip, 16);
  atomic_store(&token, 2);
  futex(&token, FUTEX_WAKE_PRIVATE, 1);
  pthread_join(partner, NULL);
}

// --- io_uring: 32 NOPs submitted and reaped with one io_uring_enter -------------------------

enum { kBatch = 32 };

static struct {
  int fd;
  unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
  struct io_uring_sqe* sqes;
  struct io_uring_cqe* cqes;
} ring = {.fd = -1};

static int setup_io_uring(void) {
  struct io_uring_params params;
  memset(&params, 0, sizeof params);
  long fd = syscall(SYS_io_uring_setup, kBatch, &params);
  if (fd < 0)
    return errno;
  ring.fd = (int)fd;
  // Three mappings (not IORING_FEAT_SINGLE_MMAP): what every kernel with io_uring accepts.
  size_t sq_bytes = params.sq_off.array + params.sq_entries * sizeof(unsigned);
  size_t cq_bytes = params.cq_off.cqes + params.cq_entries * sizeof(struct io_uring_cqe);
  char* sq = mmap(NULL, sq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd,
                  IORING_OFF_SQ_RING);
  char* cq = mmap(NULL, cq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd,
                  IORING_OFF_CQ_RING);
  void* sqes = mmap(NULL, params.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_SQES);
  if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
    return errno;
  ring.sq_tail = (unsigned*)(sq + params.sq_off.tail);
  ring.sq_mask = (unsigned*)(sq + params.sq_off.ring_mask);
  ring.sq_array = (unsigned*)(sq + params.sq_off.array);
  ring.cq_head = (unsigned*)(cq + params.cq_off.head);
  ring.cq_tail = (unsigned*)(cq + params.cq_off.tail);
  ring.cq_mask = (unsigned*)(cq + params.cq_off.ring_mask);
  ring.cqes = (struct io_uring_cqe*)(cq + params.cq_off.cqes);
  ring.sqes = sqes;
  return 0;
}

static int op_io_uring_nop_batch(void) {
  unsigned tail = *ring.sq_tail;
  for (unsigned i = 0; i < kBatch; ++i, ++tail) {
    unsigned slot = tail & *ring.sq_mask;
    struct io_uring_sqe* sqe = &ring.sqes[slot];
    memset(sqe, 0, sizeof *sqe);
    sqe->opcode = IORING_OP_NOP;
    sqe->user_data = i;
    ring.sq_array[slot] = slot;
  }
  __atomic_store_n(ring.sq_tail, tail, __ATOMIC_RELEASE);
  long submitted =
      syscall(SYS_io_uring_enter, ring.fd, kBatch, kBatch, IORING_ENTER_GETEVENTS, NULL, 0);
  if (submitted < 0)
    return errno;
  if (submitted != kBatch)
    return EIO;
  unsigned head = *ring.cq_head;
  unsigned ready = __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE) - head;
  if (ready != kBatch)
    return EIO;
  for (unsigned i = 0; i < ready; ++i)
    if (ring.cqes[(head + i) & *ring.cq_mask].res != 0)
      return EIO;
  __atomic_store_n(ring.cq_head, head + ready, __ATOMIC_RELEASE);
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1)
    data_file = argv[1];
  if (argc > 2)
    window_ns = atof(argv[2]) * 1e6;
  if (argc > 3)
    only = argv[3];
  setvbuf(stdout, NULL, _IOLBF, 0);
  run("clock-check-user-loop", "ns/100k-iterations", op_user_loop, 1);
  clock_mark();
  run("null-syscall-getppid", "ns/call", op_getppid, 64);
  run("getpid", "ns/call", op_getpid, 64);
  bench_pipe_ping_pong();
  bench_futex_ping_pong();
  run("open-close", "ns/pair", op_open_close, 16);
  run("stat", "ns/call", op_stat, 16);
  run("mmap-touch-munmap-4k", "ns/cycle", op_mmap_touch_munmap, 16);
  int error = wanted("epoll-wait-1-ready") ? setup_epoll() : 0;
  if (error)
    printf("abi epoll-wait-1-ready n/a (%s)\n", strerror(error));
  else
    run("epoll-wait-1-ready", "ns/call", op_epoll_wait, 32);
  error = wanted("io-uring-nop-batch-32") ? setup_io_uring() : 0;
  if (error)
    printf("abi io-uring-nop-batch-32 n/a (%s)\n", strerror(error));
  else
    run("io-uring-nop-batch-32", "ns/batch", op_io_uring_nop_batch, 4);
  printf("abi done\n");
  return 0;
}
