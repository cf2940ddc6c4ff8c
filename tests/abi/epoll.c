// epoll: what epoll_ctl accepts (not directories or regular files: EPERM), and the
// error cases of each operation. select and pselect6 with descriptors past FD_SETSIZE,
// in sets the program allocates itself.
#include "abi_check.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>

// select and pselect6 over 2048-bit sets (glibc's fd_set has 1024): the kernel reads as many
// bits as nfds says.
static void large_select(void) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
    rl.rlim_cur = 4096;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int p[2];
  pipe(p);
  abi_value("dup2 to descriptor 1500", dup2(p[1], 1500));
  uint64_t in[32], out[32];
  memset(in, 0, sizeof in);
  memset(out, 0, sizeof out);
  out[1500 / 64] |= 1ull << (1500 % 64);
  struct timeval tv = {0, 0};
  abi_value("select nfds 1501 with descriptor 1500 writable",
            syscall(SYS_select, 1501, NULL, out, NULL, &tv));
  abi_value("its bit is set", !!(out[1500 / 64] >> (1500 % 64) & 1));
  memset(out, 0, sizeof out);
  out[1500 / 64] |= 1ull << (1500 % 64);
  struct timespec ts = {0, 0};
  abi_value("pselect6 nfds 2048 with descriptor 1500 writable",
            syscall(SYS_pselect6, 2048, NULL, out, NULL, &ts, NULL));
  in[1600 / 64] |= 1ull << (1600 % 64);
  ABI_ERRNO("select with closed descriptor 1600 in a set",
            syscall(SYS_select, 1601, in, NULL, NULL, &tv));
  close(1500);
  close(p[0]);
  close(p[1]);
}

int main(void) {
  abi_begin("epoll");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  abi_result("epoll_create1", ep);
  struct epoll_event ev = {.events = EPOLLIN};
  mkdir("dir", 0755);
  int d = open("dir", O_RDONLY | O_DIRECTORY);
  ABI_ERRNO("EPOLL_CTL_ADD a directory", epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev));
  int f = open("file", O_CREAT | O_RDWR, 0644);
  ABI_ERRNO("EPOLL_CTL_ADD a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev));
  ABI_ERRNO("EPOLL_CTL_ADD itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
  ABI_ERRNO("EPOLL_CTL_ADD a bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
  ABI_ERRNO("epoll_ctl on a non-epoll fd", epoll_ctl(f, EPOLL_CTL_ADD, d, &ev));
  int p[2];
  pipe(p);
  abi_result("EPOLL_CTL_ADD a pipe", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
  ABI_ERRNO("EPOLL_CTL_ADD it twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
  ABI_ERRNO("EPOLL_CTL_MOD of one not added", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
  ABI_ERRNO("EPOLL_CTL_DEL of one not added", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev));
  ABI_ERRNO("unknown op", epoll_ctl(ep, 9, p[0], &ev));
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ABI_ERRNO("EPOLL_CTL_MOD with EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
  struct epoll_event out[4];
  abi_value("nothing ready", epoll_wait(ep, out, 4, 0));
  write(p[1], "x", 1);
  abi_value("one ready", epoll_wait(ep, out, 4, 0));
  ABI_ERRNO("epoll_wait with maxevents 0", epoll_wait(ep, out, 0, 0));
  ABI_ERRNO("epoll_wait on a non-epoll fd", epoll_wait(f, out, 4, 0));
  ABI_ERRNO("epoll_create with size 0", epoll_create(0));
  ABI_ERRNO("epoll_create1 with a bad flag", epoll_create1(1));
  abi_result("EPOLL_CTL_DEL", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
  close(p[0]);
  close(p[1]);
  close(f);
  close(d);
  close(ep);
  large_select();
  return abi_end();
}
