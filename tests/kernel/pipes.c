// Pipes, eventfd and poll inside one process: data through a pipe, O_NONBLOCK, end of file,
// EPIPE/SIGPIPE, poll readiness and timeouts, eventfd counters (normal and semaphore).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(void) {
  int p[2];
  check(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0, "pipe2");
  check(fcntl(p[0], F_GETFD) == FD_CLOEXEC && (fcntl(p[1], F_GETFL) & O_NONBLOCK), "flags");
  struct stat st;
  check(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode), "fstat says FIFO");
  char buf[128];
  check(read(p[0], buf, sizeof buf) == -1 && errno == EAGAIN, "empty pipe: EAGAIN");
  struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
  check(poll(pf, 2, 0) == 1 && pf[0].revents == 0 && pf[1].revents == POLLOUT, "poll: writable");
  check(write(p[1], "hello, pipe", 11) == 11, "write");
  check(poll(pf, 1, 0) == 1 && pf[0].revents == POLLIN, "poll: readable");
  check(read(p[0], buf, 5) == 5 && memcmp(buf, "hello", 5) == 0, "read part");
  check(read(p[0], buf, sizeof buf) == 6 && memcmp(buf, ", pipe", 6) == 0, "read rest");
  // Fill it up: 64 KiB, then EAGAIN.
  static char big[70000];
  check(write(p[1], big, sizeof big) == 65536, "a full pipe takes 64 KiB");
  check(write(p[1], "x", 1) == -1 && errno == EAGAIN, "full pipe: EAGAIN");
  check(read(p[0], big, sizeof big) == 65536, "drain");
  close(p[1]);
  check(read(p[0], buf, sizeof buf) == 0, "end of file once the writer is closed");
  pf[0].events = POLLIN;
  check(poll(pf, 1, 0) == 1 && (pf[0].revents & POLLHUP), "poll: hang-up");
  close(p[0]);

  check(pipe(p) == 0, "pipe");
  close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  check(write(p[1], "x", 1) == -1 && errno == EPIPE, "no reader: EPIPE");
  close(p[1]);

  int e = eventfd(3, EFD_NONBLOCK);
  uint64_t v = 0;
  check(e >= 0 && read(e, &v, 8) == 8 && v == 3, "eventfd read returns the counter");
  check(read(e, &v, 8) == -1 && errno == EAGAIN, "eventfd at zero: EAGAIN");
  v = 5;
  check(write(e, &v, 8) == 8, "eventfd write");
  pf[0].fd = e;
  check(poll(pf, 1, 0) == 1 && pf[0].revents == POLLIN, "poll on eventfd");
  close(e);
  e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  check(read(e, &v, 8) == 8 && v == 1 && read(e, &v, 8) == 8 && v == 1 &&
            read(e, &v, 8) == -1, "semaphore eventfd counts down by one");
  pf[0].fd = e;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  check(poll(pf, 1, 20) == 0, "poll times out");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  check(ms >= 20, "after the timeout");
  pf[0].fd = 999;
  check(poll(pf, 1, 0) == 1 && pf[0].revents == POLLNVAL, "POLLNVAL for a closed fd");
  printf("%s: %d of %d checks passed\n", failures ? "FAILED" : "all passed", checks - failures,
         checks);
  return failures;
}
