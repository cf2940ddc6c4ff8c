// epoll: what epoll_ctl accepts (not directories or regular files: EPERM), and the
// error cases of each operation.
#include "abi_check.h"

#include <fcntl.h>
#include <sys/epoll.h>

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
  return abi_end();
}
