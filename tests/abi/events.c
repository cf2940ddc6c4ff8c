// Pipes, eventfd, timerfd and signalfd: flags, sizes, readiness and error cases.
#include "abi_check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>

static void pipes(void) {
  int p[2];
  ABI_ERRNO("pipe2 with an unknown flag", pipe2(p, 0x1));
  abi_result("pipe2 O_NONBLOCK|O_CLOEXEC", pipe2(p, O_NONBLOCK | O_CLOEXEC));
  abi_value("read end flags", fcntl(p[0], F_GETFL) & (O_ACCMODE | O_NONBLOCK));
  abi_value("write end flags", fcntl(p[1], F_GETFL) & (O_ACCMODE | O_NONBLOCK));
  abi_value("FD_CLOEXEC", fcntl(p[0], F_GETFD));
  char c = 0;
  ABI_ERRNO("empty non-blocking read", read(p[0], &c, 1));
  ABI_ERRNO("lseek on a pipe", lseek(p[0], 0, SEEK_SET));
  ABI_ERRNO("pread on a pipe", pread(p[0], &c, 1, 0));
  write(p[1], "hello", 5);
  int n = 0;
  ioctl(p[0], FIONREAD, &n);
  abi_value("FIONREAD", n);
  struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
  abi_value("poll: both ready", poll(pf, 2, 0));
  abi_value("poll revents read end", pf[0].revents);
  abi_value("poll revents write end", pf[1].revents);
  close(p[1]);
  char buf[8];
  abi_value("read after the writer closed", read(p[0], buf, sizeof buf));
  abi_value("then end of file", read(p[0], buf, sizeof buf));
  pf[0].events = POLLIN;
  poll(pf, 1, 0);
  abi_value("poll: POLLHUP", pf[0].revents);
  close(p[0]);
  pipe(p);
  close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  ABI_ERRNO("write without a reader", write(p[1], "x", 1));
  close(p[1]);
  struct stat st;
  pipe(p);
  fstat(p[0], &st);
  abi_value("fstat: S_ISFIFO", S_ISFIFO(st.st_mode));
  close(p[0]);
  close(p[1]);
}

static void eventfds(void) {
  int e = eventfd(3, EFD_NONBLOCK | EFD_SEMAPHORE);
  uint64_t v = 0;
  abi_value("semaphore read", read(e, &v, 8));
  abi_value("semaphore read value", (long long)v);
  ABI_ERRNO("read with a short buffer", read(e, &v, 4));
  v = ~0ull;
  ABI_ERRNO("write of 2^64-1", write(e, &v, 8));
  v = 0xfffffffffffffffeull;
  ABI_ERRNO("write that would overflow", write(e, &v, 8));
  close(e);
  ABI_ERRNO("eventfd with an unknown flag", eventfd(0, 0x10));
  e = eventfd(0, EFD_NONBLOCK);
  ABI_ERRNO("read at zero", read(e, &v, 8));
  struct pollfd pf = {e, POLLIN | POLLOUT, 0};
  poll(&pf, 1, 0);
  abi_value("poll at zero", pf.revents);
  close(e);
}

static void timerfds(void) {
  int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  uint64_t n = 0;
  ABI_ERRNO("unarmed read", read(t, &n, 8));
  struct itimerspec it = {{0, 0}, {0, 1000000}};
  abi_result("arm 1 ms", timerfd_settime(t, 0, &it, NULL));
  struct timespec ms = {0, 30 * 1000 * 1000};
  nanosleep(&ms, NULL);
  abi_value("read after expiry", read(t, &n, 8));
  abi_value("expirations", (long long)n);
  struct itimerspec bad = {{0, 0}, {0, 2000000000}};
  ABI_ERRNO("settime with tv_nsec out of range", timerfd_settime(t, 0, &bad, NULL));
  ABI_ERRNO("settime with an unknown flag", timerfd_settime(t, 0x100, &it, NULL));
  struct itimerspec cur;
  abi_result("gettime", timerfd_gettime(t, &cur));
  abi_value("disarmed after one shot", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
  close(t);
  ABI_ERRNO("timerfd_create of an unknown clock", timerfd_create(99, 0));
  ABI_ERRNO("timerfd_create with an unknown flag", timerfd_create(CLOCK_MONOTONIC, 0x1));
}

static void signalfds(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int s = signalfd(-1, &set, SFD_NONBLOCK);
  struct signalfd_siginfo si;
  ABI_ERRNO("read with nothing pending", read(s, &si, sizeof si));
  raise(SIGUSR1);
  abi_value("read a pending signal", read(s, &si, sizeof si));
  abi_value("ssi_signo", si.ssi_signo);
  ABI_ERRNO("read with a short buffer", read(s, &si, 8));
  ABI_ERRNO("signalfd with an unknown flag", signalfd(-1, &set, 0x1));
  ABI_ERRNO("signalfd on a non-signalfd", signalfd(0, &set, 0));
  close(s);
}

int main(void) {
  abi_begin("events");
  pipes();
  eventfds();
  timerfds();
  signalfds();
  return abi_end();
}
