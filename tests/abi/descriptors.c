// Descriptors and fcntl: the descriptor limit and lowest-free allocation, dup/dup2/F_DUPFD
// bounds, read/write on a directory, pipe sizes, fadvise.
#include "abi_check.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

// Fills the table with dup(0) up to the soft limit: every call must return the next
// number, and the one past the limit EMFILE. Then closes them again.
static void fill_to_limit(void) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  int first = dup(0), expected = first, contiguous = first >= 0, last = first;
  for (;;) {
    int fd = dup(0);
    if (fd < 0) {
      abi_result("dup past the limit", -1);
      break;
    }
    if (fd != ++expected)
      contiguous = 0;
    last = fd;
  }
  abi_value("every dup returned the next descriptor", contiguous);
  abi_value("last descriptor is the soft limit - 1", (rlim_t)last == rl.rlim_cur - 1);
  // The lowest free descriptor comes back first.
  close(first + 100);
  close(first + 50);
  abi_value("dup takes the lowest free (1st)", dup(0) == first + 50);
  abi_value("dup takes the lowest free (2nd)", dup(0) == first + 100);
  ABI_ERRNO("F_DUPFD on a full table", fcntl(0, F_DUPFD, 10));
  for (int fd = first; fd <= last; ++fd)
    close(fd);
  abi_value("after closing all, dup gives the first again", dup(0) == first);
  close(first);
}

static void limits(void) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  abi_value("RLIMIT_NOFILE soft <= hard", rl.rlim_cur <= rl.rlim_max);
  // Promise: the unikernel's default table holds 65536 descriptors (Linux's default hard
  // limit depends on the system; here only the guest's is checked).
  abi_value("RLIMIT_NOFILE hard >= 65536 (unikernel promise)",
            abi_in_unikernel() ? rl.rlim_max >= 65536 : 1);
  rl.rlim_cur = rl.rlim_max;
  abi_result("raise soft RLIMIT_NOFILE to hard", setrlimit(RLIMIT_NOFILE, &rl));
  // Raising the hard limit depends on privileges and fs.nr_open on Linux; a soft limit
  // above the hard one is refused everywhere.
  struct rlimit inverted = {rl.rlim_max + 1, rl.rlim_max};
  ABI_ERRNO("setrlimit soft > hard", setrlimit(RLIMIT_NOFILE, &inverted));
  fill_to_limit();
  // A descriptor number at or past the limit.
  ABI_ERRNO("dup2 to the limit", dup2(0, (int)rl.rlim_cur));
  ABI_ERRNO("F_DUPFD from the limit", fcntl(0, F_DUPFD, (int)rl.rlim_cur));
  ABI_ERRNO("dup of a negative fd", dup(-1));
  ABI_ERRNO("close of a closed fd", close((int)rl.rlim_cur - 1));
  abi_value("F_DUPFD with a minimum returns >= it", fcntl(0, F_DUPFD, 300) >= 300);
  close(300);
  int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);
  abi_value("F_DUPFD_CLOEXEC sets FD_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
  close(fd);
  ABI_ERRNO("dup3 to itself", dup3(0, 0, 0));
  abi_value("dup2 to itself returns it", dup2(0, 0) == 0);
}

static void directory_fds(void) {
  mkdir("dir", 0755);
  int d = open("dir", O_RDONLY | O_DIRECTORY);
  abi_result("open a directory read-only", d);
  char c = 'x';
  ABI_ERRNO("write on a directory fd", write(d, &c, 1));
  ABI_ERRNO("read on a directory fd", read(d, &c, 1));
  ABI_ERRNO("pwrite on a directory fd", pwrite(d, &c, 1, 0));
  ABI_ERRNO("open a directory for writing", open("dir", O_WRONLY));
  ABI_ERRNO("open a directory O_RDWR", open("dir", O_RDWR));
  ABI_ERRNO("ftruncate a directory", ftruncate(d, 0));
  close(d);
  ABI_ERRNO("open a file with O_DIRECTORY", (close(open("f", O_CREAT | O_WRONLY, 0644)),
                                             open("f", O_RDONLY | O_DIRECTORY)));
  int r = open("f", O_RDONLY);
  ABI_ERRNO("write on a read-only fd", write(r, &c, 1));
  close(r);
  int w = open("f", O_WRONLY);
  ABI_ERRNO("read on a write-only fd", read(w, &c, 1));
  close(w);
}

static void pipe_sizes(void) {
  int p[2];
  pipe(p);
  abi_value("F_GETPIPE_SZ default", fcntl(p[0], F_GETPIPE_SZ));
  abi_value("F_GETPIPE_SZ on the write end", fcntl(p[1], F_GETPIPE_SZ));
  abi_value("F_SETPIPE_SZ 4096", fcntl(p[1], F_SETPIPE_SZ, 4096));
  abi_value("F_GETPIPE_SZ after 4096", fcntl(p[0], F_GETPIPE_SZ));
  abi_value("F_SETPIPE_SZ 100000 rounds up", fcntl(p[1], F_SETPIPE_SZ, 100000));
  abi_value("F_SETPIPE_SZ 0 gives one page", fcntl(p[1], F_SETPIPE_SZ, 0));
  fcntl(p[1], F_SETPIPE_SZ, 65536);
  // A pipe of 4096 bytes takes 4096 bytes, then would block.
  fcntl(p[1], F_SETPIPE_SZ, 4096);
  fcntl(p[1], F_SETFL, O_NONBLOCK);
  static char buf[65536];
  ssize_t n = write(p[1], buf, sizeof buf);
  abi_value("a 4096-byte pipe takes 4096 bytes", n);
  ABI_ERRNO("then the write would block", write(p[1], buf, 1));
  fcntl(p[1], F_SETPIPE_SZ, 65536);
  n = write(p[1], buf, 8192);
  abi_value("after growing it takes more", n);
  ABI_ERRNO("shrinking below its content", fcntl(p[1], F_SETPIPE_SZ, 4096));
  int f = open("f", O_RDONLY);
  ABI_ERRNO("F_GETPIPE_SZ on a file", fcntl(f, F_GETPIPE_SZ));
  ABI_ERRNO("F_SETPIPE_SZ on a file", fcntl(f, F_SETPIPE_SZ, 4096));
  close(f);
  close(p[0]);
  close(p[1]);
}

static void fadvise(void) {
  int f = open("f", O_RDONLY);
  ABI_ERRNO("fadvise NORMAL", syscall(SYS_fadvise64, f, 0, 0, POSIX_FADV_NORMAL));
  ABI_ERRNO("fadvise DONTNEED", syscall(SYS_fadvise64, f, 0, 4096, POSIX_FADV_DONTNEED));
  ABI_ERRNO("fadvise invalid advice", syscall(SYS_fadvise64, f, 0, 0, 99));
  ABI_ERRNO("fadvise negative length", syscall(SYS_fadvise64, f, 0, -1, POSIX_FADV_NORMAL));
  ABI_ERRNO("fadvise bad fd", syscall(SYS_fadvise64, 999, 0, 0, POSIX_FADV_NORMAL));
  int p[2];
  pipe(p);
  ABI_ERRNO("fadvise on a pipe", syscall(SYS_fadvise64, p[0], 0, 0, POSIX_FADV_NORMAL));
  close(p[0]);
  close(p[1]);
  close(f);
}

static void status_flags(void) {
  int f = open("f", O_RDWR | O_APPEND);
  abi_value("F_GETFL O_RDWR|O_APPEND", fcntl(f, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
  fcntl(f, F_SETFL, O_NONBLOCK | O_RDONLY);
  abi_value("F_SETFL keeps the access mode",
            fcntl(f, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
  ABI_ERRNO("fcntl unknown command", fcntl(f, 12345));
  close(f);
  ABI_ERRNO("fcntl bad fd", fcntl(999, F_GETFL));
}

int main(void) {
  abi_begin("descriptors");
  limits();
  directory_fds();
  pipe_sizes();
  fadvise();
  status_flags();
  return abi_end();
}
