// A syscall fuzzer run in the guest: random system calls with random and boundary
// arguments. The kernel must neither panic nor hang, and must not write into the program's
// memory except where a call was told to (the program checks a canary area at the end).
//
//   fuzz_syscalls [CALLS [SEED]]     (defaults: 3000 calls, seed 1)
//
// What keeps the program itself alive while the kernel is attacked:
// - calls that end or reshape the program are never made: exit, kill and friends, signal
//   actions and masks (SIGALRM must keep interrupting), sigaltstack, clone/fork/exec,
//   alarm/setitimer/timer_create, munmap/mprotect/mremap/brk/madvise, arch_prctl,
//   close_range, and the waits that take a signal mask (ppoll, pselect6, epoll_pwait);
// - a 10 ms interval timer with a handler (no SA_RESTART) ends every blocking call with
//   EINTR, so nothing blocks for long and the kernel never sees a deadlock;
// - every pointer argument is NULL, an invalid address, or points into a 1 MiB scratch
//   area followed by 64 MiB of PROT_NONE (a too-long length faults there, never reaching
//   other memory); path arguments are strings copied into the scratch area before each call;
// - descriptors come from a small set that never includes the report descriptor (900);
//   mmap never gets MAP_FIXED, MAP_POPULATE or MAP_LOCKED; SIGPIPE is ignored.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

enum { kReportFd = 900, kScratchSize = 1 << 20, kGuardSize = 64 << 20, kMaxNr = 451 };

static uint64_t rng_state;
static uint64_t next_random(void) { // xorshift64*
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

static char* scratch;
static volatile unsigned long alarms;
static unsigned char canary[8192];

static void on_alarm(int sig) {
  (void)sig;
  ++alarms;
}

static int excluded(long nr) {
  static const long never[] = {
      SYS_exit, SYS_exit_group, SYS_kill, SYS_tkill, SYS_tgkill, SYS_rt_sigreturn,
      SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigsuspend, SYS_sigaltstack, SYS_clone,
      SYS_fork, SYS_vfork, SYS_execve, SYS_execveat, SYS_clone3, SYS_alarm, SYS_setitimer,
      SYS_timer_create, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_brk, SYS_madvise,
      SYS_arch_prctl, SYS_close_range, SYS_ppoll, SYS_pselect6, SYS_epoll_pwait,
      SYS_epoll_pwait2, SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo, SYS_pidfd_send_signal,
      SYS_reboot, SYS_set_tid_address, SYS_seccomp, SYS_ptrace, SYS_pkey_mprotect,
      SYS_process_vm_writev, SYS_mmap, SYS_shmat, SYS_io_uring_enter, SYS_userfaultfd,
  };
  for (unsigned i = 0; i < sizeof never / sizeof *never; ++i)
    if (never[i] == nr)
      return 1;
  return 0;
}

static const char* const kPaths[] = {"/",          "",         "fuzz-a",        "fuzz-dir/b",
                                     "/proc/self/maps", "/dev/null", "/no/such/dir/x", "..",
                                     "fuzz-dir",   "/tmp",     "/proc/self/fd/0", "/dev/urandom"};

// One argument: a boundary value, a descriptor, a pointer into scratch, a bad pointer, a
// path, or random bits.
static long argument(void) {
  uint64_t r = next_random();
  switch (r % 8) {
  case 0: {
    static const long small[] = {-1, 0, 1, 2, 3, 4, 7, 8, 16, 64, 255, 4096, 65536, -4096};
    return small[(r >> 8) % (sizeof small / sizeof *small)];
  }
  case 1: {
    static const long fds[] = {-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 65535, 65536, 0x7fffffff};
    return fds[(r >> 8) % (sizeof fds / sizeof *fds)];
  }
  case 2:
  case 3:
    return (long)(scratch + (r >> 8) % kScratchSize);
  case 4: {
    static const uint64_t bad[] = {0, 1, 0x1000, 0x7fffffffefff, 0x7ffffffff000,
                                   0x800000000000, 0xffff800000000000ull,
                                   0xffffffffff600000ull, 0x8000000000000000ull, ~0ull};
    return (long)bad[(r >> 8) % (sizeof bad / sizeof *bad)];
  }
  case 5: {
    size_t i = (r >> 8) % (sizeof kPaths / sizeof *kPaths);
    return (long)(scratch + kScratchSize - 4096 + 256 * i);
  }
  case 6: {
    static const uint64_t big[] = {0x7fffffff, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
                                   0x8000000000000000ull, ~0ull, 1ull << 40};
    return (long)big[(r >> 8) % (sizeof big / sizeof *big)];
  }
  default:
    return (long)next_random();
  }
}

static void report(const char* text) {
  (void)!write(kReportFd, text, strlen(text));
}

int main(int argc, char** argv) {
  long calls = argc > 1 ? atol(argv[1]) : 3000;
  rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
  if (!rng_state)
    rng_state = 1;
  char line[200];
  if (dup2(1, kReportFd) != kReportFd)
    return 2;
  memset(canary, 0xA5, sizeof canary);
  char* area = mmap(NULL, kScratchSize + kGuardSize, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (area == MAP_FAILED || mprotect(area, kScratchSize, PROT_READ | PROT_WRITE) != 0)
    return 2;
  scratch = area;
  mkdir("fuzz-dir", 0755);
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval every = {{0, 10000}, {0, 10000}};
  setitimer(ITIMER_REAL, &every, NULL);
  snprintf(line, sizeof line, "fuzz: %ld calls, seed %llu\n", calls,
           (unsigned long long)rng_state);
  report(line);

  // The implemented calls: those that do not answer ENOSYS to all-invalid arguments. Nine
  // calls in ten go to them (the rest test the ENOSYS path with any number).
  static long implemented[kMaxNr];
  int count = 0;
  for (long nr = 0; nr < kMaxNr; ++nr) {
    if (excluded(nr))
      continue;
    errno = 0;
    if (syscall(nr, -1L, -1L, -1L, -1L, -1L, -1L) != -1 || errno != ENOSYS)
      implemented[count++] = nr;
  }
  snprintf(line, sizeof line, "fuzz: %d implemented calls to choose from\n", count);
  report(line);

  long errors = 0, done = 0;
  for (; done < calls; ++done) {
    long nr;
    do
      nr = count && next_random() % 10 ? implemented[next_random() % (uint64_t)count]
                                       : (long)(next_random() % kMaxNr);
    while (excluded(nr));
    for (size_t i = 0; i < sizeof kPaths / sizeof *kPaths; ++i)
      strcpy(scratch + kScratchSize - 4096 + 256 * i, kPaths[i]);
    long a[6];
    for (int i = 0; i < 6; ++i)
      a[i] = argument();
    long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    errors += r == -1;
    if (done % 500 == 0) {
      snprintf(line, sizeof line, "fuzz: %ld calls made (last: %ld)\n", done, nr);
      report(line);
    }
  }
  int intact = 1;
  for (size_t i = 0; i < sizeof canary; ++i)
    intact &= canary[i] == 0xA5;
  snprintf(line, sizeof line, "fuzz: done: %ld calls, %ld failed, %lu timer signals; own memory %s\n",
           done, errors, alarms, intact ? "intact" : "CORRUPTED");
  report(line);
  return intact ? 0 : 1;
}
