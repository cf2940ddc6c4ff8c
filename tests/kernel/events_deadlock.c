// A wait nothing can end, with the program's only thread: the kernel must report it and
// stop with status 127 instead of hanging. argv[1] picks the wait: "pipe" (read of an
// empty pipe), "epoll" (epoll_wait with no timeout on an empty interest list) or "socket"
// (recv on an empty socket whose peer is open).
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  char buf[8];
  printf("waiting forever: %s\n", mode);
  fflush(stdout);
  if (strcmp(mode, "pipe") == 0) {
    int p[2];
    pipe(p);
    read(p[0], buf, sizeof buf);
  } else if (strcmp(mode, "epoll") == 0) {
    int ep = epoll_create1(0);
    struct epoll_event ev;
    epoll_wait(ep, &ev, 1, -1);
  } else if (strcmp(mode, "socket") == 0) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    recv(sv[0], buf, sizeof buf, 0);
  }
  printf("the wait ended\n");
  return 1;
}
