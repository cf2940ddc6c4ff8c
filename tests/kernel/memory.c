// Memory syscalls as Linux programs rely on them: MAP_SHARED anonymous memory, MAP_NORESERVE
// and the overcommit check, MAP_GROWSDOWN regions with their guard gap and the stack limit,
// MAP_FIXED / MAP_FIXED_NOREPLACE, every madvise advice, mincore and msync. The checks are
// what Linux does (the program passes natively on a Linux host as root too, except the one
// marked guest-only). Prints one line per failed check and a summary; exits with the number
// of failures.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "check.h"
static const long kPage = 4096;


// touch(p, write): 0 if the access worked, else the signal it raised (SIGSEGV...), with the
// fault address in fault_addr.
static sigjmp_buf escape;
static volatile int armed;
static void* volatile fault_addr;
static void on_fault(int sig, siginfo_t* si, void* uc) {
  (void)uc;
  if (!armed) {
    printf("FAIL unexpected signal %d at %p\n", sig, si->si_addr);
    _exit(100);
  }
  armed = 0;
  fault_addr = si->si_addr;
  siglongjmp(escape, sig);
}
static int touch(volatile char* p, int write) {
  int sig = sigsetjmp(escape, 1);
  if (sig)
    return sig;
  armed = 1;
  if (write)
    *p = 'w';
  else
    (void)*p;
  armed = 0;
  return 0;
}

static int resident(void* p) {
  unsigned char v = 0xff;
  return mincore(p, kPage, &v) == 0 ? (v & 1) : -1;
}

static void* fill_from_thread(void* p) {
  memset(p, 't', 4096);
  return NULL;
}

static void shared_anonymous(void) {
  // 24 reserved pages: the shared mapping at the bottom, room to move it above.
  char* r = mmap(NULL, 24 * kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char* s = mmap(r, 4 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  check(s == r, "mmap MAP_SHARED|MAP_ANONYMOUS", (long)s);
  memset(s, 's', 4 * kPage);
  // One process: the threads share it (and every other mapping).
  pthread_t t;
  check(pthread_create(&t, NULL, fill_from_thread, s + 3 * kPage) == 0 && pthread_join(t, NULL) == 0 &&
            s[3 * kPage] == 't' && s[4 * kPage - 1] == 't',
        "a thread's writes to MAP_SHARED anonymous memory", s[3 * kPage]);
  memset(s + 3 * kPage, 's', kPage);
  // Shared memory keeps its data across MADV_DONTNEED (Linux: the pages stay in shmem).
  check(madvise(s, 4 * kPage, MADV_DONTNEED) == 0 && s[0] == 's' && s[4 * kPage - 1] == 's',
        "MAP_SHARED anonymous keeps its data after MADV_DONTNEED", s[0]);
  // MADV_REMOVE frees the backing: zeros.
  check(madvise(s, kPage, MADV_REMOVE) == 0 && s[0] == 0 && s[kPage] == 's',
        "MADV_REMOVE zeroes shared anonymous memory", s[0]);
  // Moved elsewhere it is the same memory. (Growing it is not checked: Linux's shmem object
  // keeps its size and pages past it raise SIGBUS; this kernel gives zeros.)
  char* g = mremap(s, 4 * kPage, 4 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, s + 16 * kPage);
  check(g == s + 16 * kPage && g[kPage] == 's' && g[0] == 0, "mremap moves shared anonymous memory",
        (long)g);
  check(munmap(r, 24 * kPage) == 0, "munmap shared anonymous", 0);

  char* p = mmap(NULL, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(p, 'p', 2 * kPage);
  check(madvise(p, kPage, MADV_DONTNEED) == 0 && p[0] == 0 && p[kPage] == 'p',
        "MADV_DONTNEED zeroes private anonymous memory", p[0]);
  munmap(p, 2 * kPage);
}

static void noreserve_and_overcommit(void) {
  struct sysinfo si;
  check(sysinfo(&si) == 0, "sysinfo", 0);
  // Linux's heuristic overcommit refuses one allocation larger than RAM + swap ...
  size_t huge = 2 * ((size_t)si.totalram + si.totalswap) * si.mem_unit;
  errno = 0;
  void* m = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(m == MAP_FAILED && errno == ENOMEM, "private writable mmap of 2 x RAM -> ENOMEM", (long)m);
  errno = 0;
  m = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  check(m == MAP_FAILED && errno == ENOMEM, "shared anonymous mmap of 2 x RAM -> ENOMEM", (long)m);
  errno = 0;
  void* b = sbrk((intptr_t)huge);
  check(b == (void*)-1 && errno == ENOMEM, "sbrk of 2 x RAM -> ENOMEM", (long)b);
  // ... but not reservations: read-only private mappings and MAP_NORESERVE.
  m = mmap(NULL, huge, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(m != MAP_FAILED && munmap(m, huge) == 0, "read-only mmap of 2 x RAM", (long)m);
  char* r = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  check(r != MAP_FAILED, "MAP_NORESERVE mmap of 2 x RAM", (long)r);
  if (r != MAP_FAILED) {
    r[0] = 1;
    r[huge - 1] = 2;
    check(r[0] == 1 && r[huge - 1] == 2 && r[huge / 2] == 0, "MAP_NORESERVE pages work", r[0]);
    check(munmap(r, huge) == 0, "munmap MAP_NORESERVE", 0);
  }
}

static void growsdown(void) {
  struct rlimit stack;
  getrlimit(RLIMIT_STACK, &stack);
  const size_t M = 1 << 20;
  size_t limit = stack.rlim_cur;
  // A free area: reserve, then give it back, keeping a readable page at its bottom.
  size_t area = limit + 16 * M;
  char* a = mmap(NULL, area, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(a != MAP_FAILED && munmap(a, area) == 0, "reserve an area", (long)a);
  char* end = a + area;
  char* g = mmap(end - M, M, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
  check(g == end - M, "mmap MAP_GROWSDOWN", (long)g);
  // A readable mapping 5 MiB below the top: the region may grow to 1 MiB above it (Linux's
  // stack_guard_gap is 256 pages).
  char* low = mmap(end - 5 * M - kPage, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
                   MAP_FIXED_NOREPLACE, -1, 0);
  check(low == end - 5 * M - kPage, "mapping below the growsdown region", (long)low);
  check(touch(end - M - 1, 1) == 0 && resident(end - M - kPage) == 1,
        "a touch just below MAP_GROWSDOWN grows it", 0);
  check(touch(end - 4 * M, 1) == 0 && end[-4 * M] == 'w', "growing by 3 MiB (guard gap kept)", 0);
  void* taken = mmap(end - 3 * M, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
                     MAP_FIXED_NOREPLACE, -1, 0);
  check(taken == MAP_FAILED && errno == EEXIST, "the grown range is part of the region",
        (long)taken);
  fault_addr = 0;
  check(touch(end - 4 * M - 1, 1) == SIGSEGV && fault_addr == end - 4 * M - 1,
        "growing into the guard gap is SIGSEGV", (long)fault_addr);
  munmap(low, kPage);
  check(touch(end - limit + kPage, 1) == 0, "growing up to RLIMIT_STACK", 0);
  check(touch(end - limit - kPage, 1) == SIGSEGV, "growing past RLIMIT_STACK is SIGSEGV", 0);
  check(munmap(a, area) == 0, "munmap the growsdown area", 0);
}

static void fixed(void) {
  char* m = mmap(NULL, 3 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(m, 'm', 3 * kPage);
  char* f = mmap(m + kPage, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0);
  check(f == m + kPage && m[0] == 'm' && m[kPage] == 0 && m[2 * kPage] == 'm',
        "MAP_FIXED replaces the middle page only", (long)f);
  errno = 0;
  void* n = mmap(m, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  check(n == MAP_FAILED && errno == EEXIST && m[0] == 'm', "MAP_FIXED_NOREPLACE over a mapping -> EEXIST",
        (long)n);
  errno = 0;
  n = mmap(m + 5, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  check(n == MAP_FAILED && errno == EINVAL, "MAP_FIXED_NOREPLACE unaligned -> EINVAL", (long)n);
  munmap(m, 3 * kPage);
  n = mmap(m + kPage, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  check(n == m + kPage, "MAP_FIXED_NOREPLACE on free space", (long)n);
  void* h = mmap(m + kPage, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(h != MAP_FAILED && h != m + kPage, "a hint on a used page is moved", (long)h);
  munmap(h, kPage);
  munmap(n, kPage);
  h = mmap(m, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(h == m, "a hint on free space is taken", (long)h);
  munmap(h, kPage);
  errno = 0;
  n = mmap(NULL, kPage, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0);
  check(n == MAP_FAILED && errno == EINVAL, "anonymous MAP_SHARED_VALIDATE -> EINVAL", (long)n);
}

static const char* data_file = "/etc/test-data.txt"; // argv[1] overrides (host runs)

static void advice(void) {
  char* m = mmap(NULL, 4 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  static const struct { int advice; const char* name; } all[] = {
      {MADV_NORMAL, "MADV_NORMAL"},       {MADV_RANDOM, "MADV_RANDOM"},
      {MADV_SEQUENTIAL, "MADV_SEQUENTIAL"}, {MADV_WILLNEED, "MADV_WILLNEED"},
      {MADV_FREE, "MADV_FREE"},           {MADV_DONTFORK, "MADV_DONTFORK"},
      {MADV_DOFORK, "MADV_DOFORK"},       {MADV_MERGEABLE, "MADV_MERGEABLE"},
      {MADV_UNMERGEABLE, "MADV_UNMERGEABLE"}, {MADV_HUGEPAGE, "MADV_HUGEPAGE"},
      {MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE"}, {MADV_DONTDUMP, "MADV_DONTDUMP"},
      {MADV_DODUMP, "MADV_DODUMP"},       {MADV_WIPEONFORK, "MADV_WIPEONFORK"},
      {MADV_KEEPONFORK, "MADV_KEEPONFORK"}, {MADV_COLD, "MADV_COLD"},
      {MADV_PAGEOUT, "MADV_PAGEOUT"},     {MADV_POPULATE_READ, "MADV_POPULATE_READ"},
      {MADV_POPULATE_WRITE, "MADV_POPULATE_WRITE"}, {MADV_DONTNEED, "MADV_DONTNEED"},
  };
  int rejected = 0;
  for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i) {
    if (madvise(m, 4 * kPage, all[i].advice) != 0) {
      printf("  %s -> errno %d\n", all[i].name, errno);
      ++rejected;
    }
  }
  check(rejected == 0, "every madvise advice is accepted", rejected);
  check(madvise(m, 2 * kPage, MADV_POPULATE_WRITE) == 0 && resident(m) == 1 &&
            resident(m + kPage) == 1 && resident(m + 2 * kPage) == 0,
        "MADV_POPULATE_WRITE makes pages resident", resident(m + 2 * kPage));
  errno = 0;
  check(madvise(m, kPage, 999) == -1 && errno == EINVAL, "madvise unknown advice -> EINVAL", 0);
  errno = 0;
  check(madvise(m + 1, kPage, MADV_NORMAL) == -1 && errno == EINVAL, "madvise unaligned -> EINVAL", 0);
  check(madvise(m, 0, MADV_DONTNEED) == 0, "madvise of 0 bytes", 0);
  munmap(m + 2 * kPage, kPage);
  errno = 0;
  check(madvise(m, 4 * kPage, MADV_NORMAL) == -1 && errno == ENOMEM,
        "madvise over a hole -> ENOMEM", 0);
  munmap(m, 4 * kPage);

  // A private file mapping reads the file again after MADV_DONTNEED.
  int fd = open(data_file, O_RDONLY);
  char* fm = mmap(NULL, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  check(fm != MAP_FAILED, "mmap a file privately", (long)fm);
  if (fm == MAP_FAILED)
    return;
  char first = fm[0];
  fm[0] = first + 1;
  check(madvise(fm, kPage, MADV_DONTNEED) == 0 && fm[0] == first,
        "MADV_DONTNEED on a private file mapping brings the file back", fm[0]);
  // MAP_SHARED_VALIDATE refuses flags it does not know (0x200 has no meaning on x86-64).
  errno = 0;
  void* v = mmap(NULL, kPage, PROT_READ, MAP_SHARED_VALIDATE | 0x200, fd, 0);
  check(v == MAP_FAILED && errno == EOPNOTSUPP, "MAP_SHARED_VALIDATE with an unknown flag", (long)v);
  v = mmap(NULL, kPage, PROT_READ, MAP_SHARED_VALIDATE | MAP_POPULATE, fd, 0);
  check(v != MAP_FAILED && memcmp(v, fm, 16) == 0 && munmap(v, kPage) == 0,
        "MAP_SHARED_VALIDATE with known flags", (long)v);
  // msync: flags validated, the range must be mapped.
  check(msync(fm, kPage, MS_SYNC) == 0 && msync(fm, kPage, MS_ASYNC | MS_INVALIDATE) == 0,
        "msync", 0);
  errno = 0;
  check(msync(fm, kPage, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL, "msync SYNC|ASYNC -> EINVAL",
        0);
  errno = 0;
  check(msync(fm + 8, kPage, MS_SYNC) == -1 && errno == EINVAL, "msync unaligned -> EINVAL", 0);
  errno = 0;
  check(msync(fm, kPage, 64) == -1 && errno == EINVAL, "msync unknown flag -> EINVAL", 0);
  munmap(fm, kPage);
  errno = 0;
  check(msync(fm, kPage, MS_SYNC) == -1 && errno == ENOMEM, "msync unmapped -> ENOMEM", 0);
  close(fd);
}

static void residency(void) {
  char* m = mmap(NULL, 8 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  unsigned char vec[8];
  memset(vec, 0xff, sizeof vec);
  check(mincore(m, 8 * kPage, vec) == 0 && vec[0] == 0 && vec[7] == 0, "mincore: fresh pages", vec[0]);
  m[3 * kPage] = 1;
  (void)*(volatile char*)(m + 5 * kPage + 100); // a read fault maps a page too
  memset(vec, 0xff, sizeof vec);
  check(mincore(m, 8 * kPage - 10, vec) == 0 && vec[2] == 0 && vec[3] == 1 && vec[4] == 0 &&
            vec[5] == 1 && vec[7] == 0,
        "mincore: touched pages are resident", vec[3]);
  errno = 0;
  check(mincore(m + 1, kPage, vec) == -1 && errno == EINVAL, "mincore unaligned -> EINVAL", 0);
  errno = 0;
  check(mincore(m, kPage, (unsigned char*)0x10) == -1 && errno == EFAULT, "mincore bad vector -> EFAULT", 0);
  munmap(m + 4 * kPage, kPage);
  errno = 0;
  check(mincore(m, 8 * kPage, vec) == -1 && errno == ENOMEM, "mincore over a hole -> ENOMEM", 0);
  munmap(m, 8 * kPage);
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc > 1)
    data_file = argv[1];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);

  shared_anonymous();
  noreserve_and_overcommit();
  growsdown();
  fixed();
  advice();
  residency();

  printf("%s: %d of %d checks passed\n", failures ? "FAILED" : "all passed", checks - failures,
         checks);
  return failures;
}
