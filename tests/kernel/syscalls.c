// Exercises the kernel's Linux syscalls from an unmodified glibc program: results, errno
// values for bad input, and -EFAULT (never a crash) for bad user pointers. Prints one line
// per failed check and a summary; exits with the number of failures.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#define BAD ((void*)0x10) // never mapped: the first 64 KiB stay unmapped

// A raw syscall that must fail with `err`.
#define EXPECT_ERR(err, ...)                                                                     \
  do {                                                                                           \
    errno = 0;                                                                                   \
    long r_ = syscall(__VA_ARGS__);                                                              \
    check(r_ == -1 && errno == (err), #__VA_ARGS__ " -> " #err, r_);                             \
  } while (0)

int main(void) {
  char buf[4096];
  // Bad pointers give EFAULT.
  EXPECT_ERR(EFAULT, SYS_write, 1, BAD, 5);
  int zero = open("/dev/zero", O_RDONLY);
  check(zero >= 0, "open /dev/zero", zero);
  EXPECT_ERR(EFAULT, SYS_read, zero, BAD, 16);
  EXPECT_ERR(EFAULT, SYS_openat, AT_FDCWD, BAD, O_RDONLY);
  EXPECT_ERR(EFAULT, SYS_newfstatat, AT_FDCWD, "/", BAD, 0);
  EXPECT_ERR(EFAULT, SYS_uname, BAD);
  EXPECT_ERR(EFAULT, SYS_clock_gettime, CLOCK_MONOTONIC, BAD);
  EXPECT_ERR(EFAULT, SYS_getrandom, BAD, 8, 0);
  EXPECT_ERR(EFAULT, SYS_getcwd, BAD, 100);
  EXPECT_ERR(EFAULT, SYS_rt_sigaction, SIGUSR1, BAD, NULL, 8);
  EXPECT_ERR(EFAULT, SYS_writev, 1, BAD, 1);
  EXPECT_ERR(EFAULT, SYS_readlink, "/proc/self/exe", (char*)0xFFFF800000000000ull, 10);
  // Kernel addresses are not user memory.
  EXPECT_ERR(EFAULT, SYS_write, 1, (void*)0xFFFFFFFF80200000ull, 4);
  // Unknown syscalls and bad arguments.
  EXPECT_ERR(ENOSYS, 400);
  EXPECT_ERR(ENOSYS, SYS_fork);
  EXPECT_ERR(EBADF, SYS_read, 77, buf, 1);
  EXPECT_ERR(ENOENT, SYS_openat, AT_FDCWD, "/no/such/file", O_RDONLY);
  EXPECT_ERR(ENOTDIR, SYS_openat, AT_FDCWD, "/etc/test-data.txt/x", O_RDONLY);
  EXPECT_ERR(EROFS, SYS_openat, AT_FDCWD, "/new-file", O_WRONLY | O_CREAT, 0644);
  EXPECT_ERR(EINVAL, SYS_lseek, zero, 0, 99);
  EXPECT_ERR(EINVAL, SYS_munmap, (void*)0x10001, 4096);

  // Devices.
  memset(buf, 1, 64);
  check(read(zero, buf, 64) == 64 && buf[0] == 0 && buf[63] == 0, "read /dev/zero", 0);
  int null = open("/dev/null", O_RDWR);
  check(null >= 0 && write(null, "x", 1) == 1 && read(null, buf, 8) == 0, "/dev/null", null);
  int ur = open("/dev/urandom", O_RDONLY);
  unsigned char r1[16] = {0}, r2[16] = {0};
  check(ur >= 0 && read(ur, r1, 16) == 16 && getrandom(r2, 16, 0) == 16 && memcmp(r1, r2, 16),
        "urandom and getrandom differ", ur);

  // /proc/self.
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  const char* execfn = (const char*)getauxval(AT_EXECFN);
  check(n > 0 && execfn && (buf[n] = 0, strcmp(buf, execfn) == 0), "/proc/self/exe is AT_EXECFN", n);
  FILE* maps = fopen("/proc/self/maps", "r");
  int saw_stack = 0, saw_exe = 0;
  while (maps && fgets(buf, sizeof buf, maps)) {
    saw_stack |= strstr(buf, "[stack]") != NULL;
    saw_exe |= execfn && strstr(buf, execfn) != NULL;
  }
  check(maps && saw_stack && saw_exe, "/proc/self/maps lists the stack and the program", 0);

  // Files and directories.
  struct stat st;
  check(stat("/etc/test-data.txt", &st) == 0 && st.st_size == 15 && S_ISREG(st.st_mode),
        "stat a file", st.st_size);
  int fd = open("/etc/test-data.txt", O_RDONLY | O_CLOEXEC);
  check(pread(fd, buf, 4, 6) == 4 && memcmp(buf, "data", 4) == 0, "pread", fd);
  check(lseek(fd, -3, SEEK_END) == 12 && read(fd, buf, 10) == 3 && memcmp(buf, "ok\n", 3) == 0,
        "lseek SEEK_END + read", 0);
  check(fcntl(fd, F_GETFD) == FD_CLOEXEC, "O_CLOEXEC", fcntl(fd, F_GETFD));
  int fd2 = dup(fd);
  check(fd2 > fd && lseek(fd2, 0, SEEK_CUR) == 15, "dup shares the offset", fd2);
  check(dup2(fd, 100) == 100 && close(100) == 0 && close(100) == -1 && errno == EBADF, "dup2",
        0);
  check(chdir("/etc") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/etc") == 0, "chdir/getcwd",
        0);
  check(access("test-data.txt", R_OK) == 0 && access("test-data.txt", W_OK) == -1 &&
            errno == EROFS, "access (relative)", 0);
  check(chdir("..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0, "chdir ..", 0);
  DIR* d = opendir("/etc");
  int entries = 0, saw_data = 0;
  struct dirent* e;
  while (d && (e = readdir(d))) {
    ++entries;
    saw_data |= strcmp(e->d_name, "test-data.txt") == 0 && e->d_type == DT_REG;
  }
  check(d && saw_data && entries >= 3, "readdir /etc", entries);
  check(isatty(1), "stdout is a terminal", 0);

  // Memory.
  char* m = mmap(NULL, 3 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(m != MAP_FAILED, "mmap 3 MiB", (long)m);
  m[0] = 1;
  m[(3 << 20) - 1] = 2;
  char* g = mremap(m, 3 << 20, 6 << 20, MREMAP_MAYMOVE);
  check(g != MAP_FAILED && g[0] == 1 && g[(3 << 20) - 1] == 2 && g[(6 << 20) - 1] == 0,
        "mremap keeps contents", (long)g);
  check(mprotect(g, 4096, PROT_READ) == 0 && munmap(g, 6 << 20) == 0, "mprotect + munmap", 0);
  int mf = open("/etc/test-data.txt", O_RDONLY);
  char* fm = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, mf, 0);
  check(fm != MAP_FAILED && memcmp(fm + 6, "data", 4) == 0 && fm[15] == 0, "file mmap", (long)fm);
  void* b0 = sbrk(0);
  check(sbrk(1 << 20) == b0 && ((char*)b0)[(1 << 20) - 1] == 0, "brk grows", (long)b0);

  // Time, identity, limits.
  struct timespec t1, t2;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  struct timespec nap = {0, 2000000};
  nanosleep(&nap, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t2);
  long elapsed = (t2.tv_sec - t1.tv_sec) * 1000000000L + (t2.tv_nsec - t1.tv_nsec);
  check(elapsed >= 2000000, "nanosleep 2 ms", elapsed);
  check(time(NULL) > 1600000000, "wall clock after 2020", (long)time(NULL));
  struct utsname u;
  check(uname(&u) == 0 && strcmp(u.machine, "x86_64") == 0, "uname", 0);
  check(getpid() == 2 && getuid() == 0, "getpid/getuid", getpid());
  struct rlimit rl;
  check(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 256, "getrlimit", (long)rl.rlim_cur);
  cpu_set_t set;
  check(sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == 1, "sched_getaffinity",
        0);
  printf("%s: %d of %d checks passed\n", failures ? "FAILED" : "all passed", checks - failures,
         checks);
  return failures;
}
