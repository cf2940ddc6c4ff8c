// Events inside one process: signals (handler on a sigaltstack, alarm), epoll on pipes,
// eventfds, timerfds, signalfds, sockets, regular files and the console (level, edge,
// oneshot, RDHUP, nesting, timeouts), timerfd expiry counts, signalfd, AF_UNIX socketpair
// (stream, datagram, seqpacket), select/pselect6, setitimer intervals and POSIX timers.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

// Upper bounds are generous: they catch a wait that ended far too late (or never), not
// scheduling noise on a loaded host.
#define LATE_MS 20000
static void check_ms(long long ms, long long lo, const char* what) {
  check(ms >= lo && ms < LATE_MS, what);
  if (ms < lo || ms >= LATE_MS)
    printf("  (took %lld ms)\n", ms);
}

static long long now_ms(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

// Waits for any signal: poll with no descriptors and no timeout ends with EINTR.
static int wait_for_signal(void) {
  return poll(NULL, 0, -1) == -1 && errno == EINTR;
}

static char altstack[16384];
static volatile sig_atomic_t alarms, alarm_on_altstack, usr1s;
static void on_alarm(int sig) {
  (void)sig;
  char here;
  alarms++;
  if (&here >= altstack && &here < altstack + sizeof altstack)
    alarm_on_altstack = 1;
}
static void on_usr1(int sig) {
  (void)sig;
  usr1s++;
}

static void set_handler(int sig, void (*fn)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigaction(sig, &sa, NULL);
}

static void block(int sig, int how) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  sigprocmask(how, &s, NULL);
}

static void test_alarm(void) {
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  check(sigaltstack(&ss, NULL) == 0, "sigaltstack");
  set_handler(SIGALRM, on_alarm, SA_ONSTACK);
  check(alarm(50) == 0, "alarm: none before");
  unsigned left = alarm(0);
  check(left >= 40 && left <= 50, "alarm returns the seconds left");
  long long t0 = now_ms(CLOCK_MONOTONIC);
  alarm(1);
  check(wait_for_signal(), "alarm interrupts a wait");
  long long ms = now_ms(CLOCK_MONOTONIC) - t0;
  check(alarms == 1 && alarm_on_altstack, "SIGALRM handler ran on the sigaltstack");
  check_ms(ms, 1000, "alarm(1) after one second");
}

static void test_epoll_pipes(void) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  check(ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC, "epoll_create1(EPOLL_CLOEXEC)");
  check(epoll_create(0) == -1 && errno == EINVAL, "epoll_create(0): EINVAL");
  int lt[2], et[2];
  pipe2(lt, O_NONBLOCK);
  pipe2(et, O_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ull};
  check(epoll_ctl(ep, EPOLL_CTL_ADD, lt[0], &ev) == 0, "add pipe (level)");
  check(epoll_ctl(ep, EPOLL_CTL_ADD, lt[0], &ev) == -1 && errno == EEXIST, "add twice: EEXIST");
  check(epoll_ctl(ep, EPOLL_CTL_MOD, et[0], &ev) == -1 && errno == ENOENT, "mod unknown: ENOENT");
  check(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev) == -1 && errno == EBADF, "add bad fd: EBADF");
  check(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev) == -1 && errno == EINVAL, "add itself: EINVAL");
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = 2;
  check(epoll_ctl(ep, EPOLL_CTL_ADD, et[0], &ev) == 0, "add pipe (edge)");
  struct epoll_event out[8];
  check(epoll_wait(ep, out, 8, 0) == 0, "nothing ready");
  write(lt[1], "x", 1);
  int avail = -1;
  check(ioctl(lt[0], FIONREAD, &avail) == 0 && avail == 1, "FIONREAD on a pipe");
  int n = epoll_wait(ep, out, 8, 0);
  check(n == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 0x1122334455667788ull,
        "level: readable, data as given");
  check(epoll_wait(ep, out, 8, 0) == 1, "level: reported again while readable");
  write(et[1], "y", 1);
  n = epoll_wait(ep, out, 8, 0);
  check(n == 2, "both pipes readable");
  n = epoll_wait(ep, out, 8, 0);
  check(n == 1 && out[0].data.u64 != 2, "edge: not again without new data");
  write(et[1], "z", 1);
  n = epoll_wait(ep, out, 8, 0);
  check(n == 2, "edge: new data is a new edge");
  char buf[16];
  read(lt[0], buf, sizeof buf);
  read(et[0], buf, sizeof buf);
  check(epoll_wait(ep, out, 8, 0) == 0, "drained: nothing ready");
  // Writer closed: EPOLLHUP is reported without being asked for.
  close(lt[1]);
  n = epoll_wait(ep, out, 8, 0);
  check(n == 1 && (out[0].events & EPOLLHUP), "hang-up reported");
  check(epoll_ctl(ep, EPOLL_CTL_DEL, lt[0], NULL) == 0, "del");
  check(epoll_wait(ep, out, 8, 0) == 0, "deleted interest is gone");
  close(lt[0]);
  // Timeout: nothing ready for 50 ms.
  long long t0 = now_ms(CLOCK_MONOTONIC);
  check(epoll_wait(ep, out, 8, 50) == 0, "epoll_wait times out");
  long long ms = now_ms(CLOCK_MONOTONIC) - t0;
  check_ms(ms, 50, "epoll_wait timeout within bounds");
  check(epoll_wait(ep, out, 0, 0) == -1 && errno == EINVAL, "maxevents 0: EINVAL");
  check(epoll_wait(et[0], out, 1, 0) == -1 && errno == EINVAL, "not an epoll fd: EINVAL");
  // A bad events array fails when there is an event to store in it.
  int ready = eventfd(1, 0);
  struct epoll_event rev = {.events = EPOLLIN};
  epoll_ctl(ep, EPOLL_CTL_ADD, ready, &rev);
  struct epoll_event* volatile bad = (struct epoll_event*)8; // hidden from the compiler's checks
  check(epoll_wait(ep, bad, 1, 0) == -1 && errno == EFAULT, "bad events pointer: EFAULT");
  close(ready);
  close(et[0]);
  close(et[1]);
  close(ep);
}

static void test_epoll_eventfd_and_more(void) {
  int ep = epoll_create1(0);
  int e = eventfd(0, EFD_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.fd = e};
  epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
  uint64_t one = 1;
  write(e, &one, 8);
  struct epoll_event out[8];
  check(epoll_wait(ep, out, 8, 0) == 1 && out[0].data.fd == e, "oneshot: first report");
  check(epoll_wait(ep, out, 8, 0) == 0, "oneshot: disabled after it fired");
  check(epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev) == 0 && epoll_wait(ep, out, 8, 0) == 1,
        "oneshot: re-armed by MOD");
  // A closed descriptor leaves the interest list.
  int e2 = eventfd(1, 0);
  ev.events = EPOLLIN;
  ev.data.fd = e2;
  epoll_ctl(ep, EPOLL_CTL_ADD, e2, &ev);
  close(e2);
  check(epoll_wait(ep, out, 8, 0) == 0, "closed fd removed");
  // EPOLLEXCLUSIVE accepted on ADD, refused by MOD.
  int e3 = eventfd(1, 0);
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.fd = e3;
  check(epoll_ctl(ep, EPOLL_CTL_ADD, e3, &ev) == 0, "EPOLLEXCLUSIVE accepted");
  check(epoll_ctl(ep, EPOLL_CTL_MOD, e3, &ev) == -1 && errno == EINVAL, "MOD with EXCLUSIVE: EINVAL");
  check(epoll_wait(ep, out, 8, 0) == 1 && out[0].data.fd == e3, "exclusive interest reports");
  close(e3);
  // Nested: an epoll inside an epoll.
  int inner = epoll_create1(0);
  int e4 = eventfd(0, 0);
  ev.events = EPOLLIN;
  ev.data.fd = e4;
  epoll_ctl(inner, EPOLL_CTL_ADD, e4, &ev);
  int outer = epoll_create1(0);
  ev.data.u32 = 77;
  check(epoll_ctl(outer, EPOLL_CTL_ADD, inner, &ev) == 0, "nest an epoll");
  ev.data.u32 = 78;
  check(epoll_ctl(inner, EPOLL_CTL_ADD, outer, &ev) == -1 && errno == ELOOP, "loop: ELOOP");
  check(epoll_wait(outer, out, 8, 0) == 0, "nested: nothing yet");
  write(e4, &one, 8);
  check(epoll_wait(outer, out, 8, 0) == 1 && out[0].data.u32 == 77 && out[0].events == EPOLLIN,
        "nested: inner readiness seen");
  check(epoll_wait(inner, out, 8, 0) == 1 && out[0].data.fd == e4, "nested: inner event");
  close(outer);
  close(inner);
  close(e4);
  // Regular files cannot be watched (EPERM, as on Linux: they have no poll operation); the
  // console is writable.
  int f = open("/etc/test-data.txt", O_RDONLY);
  ev.events = EPOLLIN;
  ev.data.fd = f;
  check(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev) == -1 && errno == EPERM, "add a regular file: EPERM");
  ev.events = EPOLLOUT;
  ev.data.fd = 1;
  check(epoll_ctl(ep, EPOLL_CTL_ADD, 1, &ev) == 0, "add the console");
  epoll_ctl(ep, EPOLL_CTL_DEL, e, NULL);
  int n = epoll_wait(ep, out, 8, 0);
  int saw_file = 0, saw_console = 0;
  for (int i = 0; i < n; ++i) {
    saw_file |= out[i].data.fd == f && (out[i].events & EPOLLIN);
    saw_console |= out[i].data.fd == 1 && (out[i].events & EPOLLOUT);
  }
  check(n == 1 && !saw_file && saw_console, "console writable, the file not watched");
  close(f);
  close(e);
  close(ep);
}

static void test_timerfd(void) {
  int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  check(t >= 0 && fcntl(t, F_GETFD) == FD_CLOEXEC, "timerfd_create");
  check(timerfd_create(12345, 0) == -1 && errno == EINVAL, "timerfd bad clock: EINVAL");
  uint64_t count = 0;
  check(read(t, &count, 8) == -1 && errno == EAGAIN, "unarmed timerfd: EAGAIN");
  struct itimerspec its = {.it_interval = {0, 10000000}, .it_value = {0, 10000000}};
  long long t0 = now_ms(CLOCK_MONOTONIC);
  check(timerfd_settime(t, 0, &its, NULL) == 0, "timerfd_settime 10 ms period");
  struct itimerspec cur;
  check(timerfd_gettime(t, &cur) == 0 && cur.it_interval.tv_nsec == 10000000 &&
            cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 10000000,
        "timerfd_gettime");
  struct pollfd pf = {t, POLLIN, 0};
  check(poll(&pf, 1, LATE_MS) == 1 && pf.revents == POLLIN, "poll wakes at the expiry");
  poll(NULL, 0, 100); // let ~10 more periods pass
  long long before = now_ms(CLOCK_MONOTONIC) - t0;
  check(read(t, &count, 8) == 8, "read the expiry count");
  long long elapsed = now_ms(CLOCK_MONOTONIC) - t0;
  // First expiry at 10 ms, then every 10 ms: the count is that of the periods that ended
  // by the moment of the read (between the two clock readings).
  check(count >= 10 && (long long)count >= before / 10 - 1 && (long long)count <= elapsed / 10 + 1,
        "expiry count matches the elapsed periods");
  struct itimerspec zero = {{0, 0}, {0, 0}};
  check(timerfd_settime(t, 0, &zero, &cur) == 0 && cur.it_interval.tv_nsec == 10000000,
        "disarm returns the old setting");
  timerfd_gettime(t, &cur);
  check(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, "disarmed");
  close(t);

  // Blocking read of an absolute CLOCK_REALTIME one-shot timer.
  t = timerfd_create(CLOCK_REALTIME, 0);
  struct timespec rt;
  t0 = now_ms(CLOCK_MONOTONIC); // before the deadline is computed: it is >= t0 + 30 ms
  clock_gettime(CLOCK_REALTIME, &rt);
  rt.tv_nsec += 30000000;
  if (rt.tv_nsec >= 1000000000) {
    rt.tv_sec++;
    rt.tv_nsec -= 1000000000;
  }
  struct itimerspec abs = {{0, 0}, rt};
  check(timerfd_settime(t, TFD_TIMER_ABSTIME, &abs, NULL) == 0, "TFD_TIMER_ABSTIME");
  check(read(t, &count, 8) == 8 && count == 1, "blocking read returns one expiry");
  struct pollfd once = {t, POLLIN, 0};
  check(poll(&once, 1, 0) == 0, "count reset by the read");
  elapsed = now_ms(CLOCK_MONOTONIC) - t0;
  check_ms(elapsed, 30, "absolute expiry at its time");
  close(t);

  // CLOCK_BOOTTIME in an edge-triggered epoll.
  t = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = t};
  epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev);
  struct itimerspec rel = {{0, 0}, {0, 20000000}};
  t0 = now_ms(CLOCK_MONOTONIC);
  timerfd_settime(t, 0, &rel, NULL);
  struct epoll_event out[2];
  check(epoll_wait(ep, out, 2, LATE_MS) == 1 && out[0].data.fd == t, "epoll wakes on a timerfd");
  elapsed = now_ms(CLOCK_MONOTONIC) - t0;
  check_ms(elapsed, 20, "timerfd expiry time in epoll");
  check(epoll_wait(ep, out, 2, 0) == 0, "edge: one event per expiry");
  close(ep);
  close(t);
}

static void test_signalfd(void) {
  block(SIGUSR1, SIG_BLOCK);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR1);
  int s = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  check(s >= 0, "signalfd");
  struct signalfd_siginfo si;
  check(read(s, &si, sizeof si) == -1 && errno == EAGAIN, "signalfd: nothing pending");
  struct pollfd pf = {s, POLLIN, 0};
  check(poll(&pf, 1, 0) == 0, "signalfd not readable");
  raise(SIGUSR1);
  check(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "signalfd readable once raised");
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = s}, out[2];
  epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
  check(epoll_wait(ep, out, 2, 0) == 1 && out[0].data.fd == s, "signalfd in epoll");
  check(read(s, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1, "read the signal");
  sigset_t pending;
  sigpending(&pending);
  check(!sigismember(&pending, SIGUSR1) && usr1s == 0, "read consumed it, no handler ran");
  check(read(s, &si, 8) == -1 && errno == EINVAL, "short buffer: EINVAL");
  close(ep);
  close(s);

  // A blocking read woken by a signal a POSIX timer raises.
  block(SIGUSR2, SIG_BLOCK);
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR2);
  s = signalfd(-1, &mask, 0);
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGUSR2;
  timer_t tid;
  check(timer_create(CLOCK_MONOTONIC, &sev, &tid) == 0, "timer_create for signalfd");
  struct itimerspec its = {{0, 0}, {0, 20000000}};
  timer_settime(tid, 0, &its, NULL);
  check(read(s, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR2,
        "blocking signalfd read woken by a timer signal");
  timer_delete(tid);
  close(s);
}

static void test_stream_sockets(void) {
  int sv[2];
  check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0, "socketpair stream");
  check((fcntl(sv[0], F_GETFL) & O_NONBLOCK) && fcntl(sv[1], F_GETFD) == FD_CLOEXEC, "socket flags");
  struct stat st;
  check(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat: a socket");
  char buf[64];
  check(read(sv[1], buf, sizeof buf) == -1 && errno == EAGAIN, "empty socket: EAGAIN");
  check(write(sv[0], "hello", 5) == 5 && send(sv[0], "world", 5, 0) == 5, "write + send");
  check(recv(sv[1], buf, sizeof buf, MSG_PEEK) == 10 && memcmp(buf, "helloworld", 10) == 0,
        "MSG_PEEK sees the stream");
  check(read(sv[1], buf, 3) == 3 && memcmp(buf, "hel", 3) == 0, "read part");
  struct iovec iov[2] = {{buf, 4}, {buf + 4, 10}};
  check(readv(sv[1], iov, 2) == 7 && memcmp(buf, "loworld", 7) == 0, "readv the rest");
  // Other direction, with sendmsg/recvmsg.
  struct iovec siov[2] = {{"ab", 2}, {"cd", 2}};
  struct msghdr m = {.msg_iov = siov, .msg_iovlen = 2};
  check(sendmsg(sv[1], &m, 0) == 4, "sendmsg");
  struct iovec riov = {buf, sizeof buf};
  struct msghdr rm = {.msg_iov = &riov, .msg_iovlen = 1};
  check(recvmsg(sv[0], &rm, 0) == 4 && memcmp(buf, "abcd", 4) == 0 && rm.msg_flags == 0, "recvmsg");
  check(recv(sv[0], buf, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN, "MSG_DONTWAIT: EAGAIN");
  int avail = -1;
  write(sv[0], "12345", 5);
  check(ioctl(sv[1], FIONREAD, &avail) == 0 && avail == 5, "FIONREAD on a stream socket");
  read(sv[1], buf, sizeof buf);
  // Shutdown of one direction: EOF and RDHUP at the other end.
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = sv[1]}, out[2];
  epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
  check(epoll_wait(ep, out, 2, 0) == 0, "socket not readable");
  check(shutdown(sv[0], SHUT_WR) == 0, "shutdown(SHUT_WR)");
  check(epoll_wait(ep, out, 2, 0) == 1 && (out[0].events & EPOLLRDHUP) && (out[0].events & EPOLLIN),
        "EPOLLRDHUP after the peer's SHUT_WR");
  check(read(sv[1], buf, sizeof buf) == 0, "EOF after SHUT_WR");
  signal(SIGPIPE, SIG_IGN);
  check(write(sv[0], "x", 1) == -1 && errno == EPIPE, "write after SHUT_WR: EPIPE");
  check(write(sv[1], "back", 4) == 4 && read(sv[0], buf, sizeof buf) == 4, "other direction still open");
  close(ep);
  close(sv[0]);
  check(read(sv[1], buf, sizeof buf) == 0, "EOF after close");
  check(send(sv[1], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE, "send to a closed peer: EPIPE");
  close(sv[1]);
  // A family no kernel serves any more (Linux dropped IPX in 4.18).
  check(socket(AF_IPX, SOCK_DGRAM, 0) == -1 && errno == EAFNOSUPPORT, "AF_IPX: EAFNOSUPPORT");
  // connect: nothing listens in this kernel; the errors say why, as Linux's do
  int us = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un missing = {AF_UNIX, "/var/run/nscd/socket"};
  check(us >= 0 && connect(us, (struct sockaddr*)&missing, sizeof missing) == -1 && errno == ENOENT,
        "connect to a path that does not exist: ENOENT");
  struct sockaddr_un file = {AF_UNIX, "/etc/test-data.txt"};
  check(connect(us, (struct sockaddr*)&file, sizeof file) == -1 && errno == ECONNREFUSED,
        "connect to a file that is no listening socket: ECONNREFUSED");
  close(us);
  check(socketpair(AF_INET, SOCK_STREAM, 0, sv) == -1 && errno == EOPNOTSUPP,
        "socketpair AF_INET: EOPNOTSUPP (as on Linux)");
}

static void test_message_sockets(void) {
  int sv[2];
  check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair dgram");
  int type = 0, err = -1;
  socklen_t len = sizeof type;
  check(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM &&
            len == sizeof type, "SO_TYPE");
  len = sizeof err;
  check(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "SO_ERROR");
  int size = 10000;
  check(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size) == 0, "set SO_SNDBUF");
  len = sizeof size;
  check(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, &len) == 0 && size == 20000,
        "SO_SNDBUF reads back doubled");
  check(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, &len) == 0 && size > 0, "SO_RCVBUF");
  check(getsockopt(1, SOL_SOCKET, SO_TYPE, &type, &len) == -1 && errno == ENOTSOCK, "ENOTSOCK");
  check(send(sv[0], "ab", 2, 0) == 2 && send(sv[0], "cde", 3, 0) == 3, "two datagrams");
  struct iovec wiov[2] = {{"fg", 2}, {"hij", 3}};
  check(writev(sv[0], wiov, 2) == 5, "writev: one datagram");
  char buf[64];
  check(recv(sv[1], buf, sizeof buf, MSG_PEEK) == 2, "peek the first datagram");
  check(recv(sv[1], buf, sizeof buf, 0) == 2 && memcmp(buf, "ab", 2) == 0, "first datagram");
  check(read(sv[1], buf, sizeof buf) == 3 && memcmp(buf, "cde", 3) == 0, "boundaries kept");
  struct iovec riov[2] = {{buf, 1}, {buf + 1, 10}};
  check(readv(sv[1], riov, 2) == 5 && memcmp(buf, "fghij", 5) == 0, "readv: one datagram");
  send(sv[0], "12345", 5, 0);
  send(sv[0], "67", 2, 0);
  int avail = -1;
  check(ioctl(sv[1], FIONREAD, &avail) == 0 && avail == 5, "FIONREAD: the next datagram's size");
  int on = 1;
  check(ioctl(sv[1], FIONBIO, &on) == 0 && (fcntl(sv[1], F_GETFL) & O_NONBLOCK), "FIONBIO sets O_NONBLOCK");
  struct iovec one = {buf, 2};
  struct msghdr m = {.msg_iov = &one, .msg_iovlen = 1};
  check(recvmsg(sv[1], &m, 0) == 2 && (m.msg_flags & MSG_TRUNC), "truncated datagram: MSG_TRUNC");
  check(recv(sv[1], buf, sizeof buf, 0) == 2 && memcmp(buf, "67", 2) == 0, "rest discarded");
  check(recv(sv[1], buf, sizeof buf, 0) == -1 && errno == EAGAIN, "non-blocking after FIONBIO");
  on = 0;
  ioctl(sv[1], FIONBIO, &on);
  check(!(fcntl(sv[1], F_GETFL) & O_NONBLOCK), "FIONBIO clears O_NONBLOCK");
  send(sv[0], "", 0, 0);
  check(recv(sv[1], buf, sizeof buf, 0) == 0, "empty datagram");
  close(sv[0]);
  close(sv[1]);

  check(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair seqpacket");
  send(sv[0], "one", 3, 0);
  send(sv[0], "two!", 4, 0);
  check(recv(sv[1], buf, sizeof buf, 0) == 3 && recv(sv[1], buf, sizeof buf, 0) == 4,
        "seqpacket boundaries");
  close(sv[0]);
  check(recv(sv[1], buf, sizeof buf, 0) == 0, "seqpacket EOF after close");
  struct pollfd pf = {sv[1], POLLIN, 0};
  check(poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP), "poll: hang-up after close");
  close(sv[1]);
}

static void test_select(void) {
  int p[2];
  pipe(p);
  int e = eventfd(0, 0);
  write(p[1], "x", 1);
  fd_set r, w;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(p[0], &r);
  FD_SET(e, &r);
  FD_SET(p[1], &w);
  struct timeval tv = {0, 0};
  int nfds = (p[0] > e ? p[0] : e) + 1;
  nfds = nfds > p[1] + 1 ? nfds : p[1] + 1;
  check(select(nfds, &r, &w, NULL, &tv) == 2 && FD_ISSET(p[0], &r) && !FD_ISSET(e, &r) &&
            FD_ISSET(p[1], &w), "select: readable pipe, writable pipe, idle eventfd");
  FD_ZERO(&r);
  FD_SET(e, &r);
  tv.tv_sec = 0;
  tv.tv_usec = 30000;
  long long t0 = now_ms(CLOCK_MONOTONIC);
  check(select(e + 1, &r, NULL, NULL, &tv) == 0 && !FD_ISSET(e, &r), "select times out");
  long long ms = now_ms(CLOCK_MONOTONIC) - t0;
  check_ms(ms, 30, "select timeout within bounds");
  check(tv.tv_sec == 0 && tv.tv_usec == 0, "select: timeval updated to the time left");
  FD_ZERO(&r);
  FD_SET(200, &r);
  check(select(201, &r, NULL, NULL, NULL) == -1 && errno == EBADF, "select: bad fd");
  // pselect6: a mask that lets SIGALRM in only during the wait.
  set_handler(SIGALRM, on_alarm, 0);
  block(SIGALRM, SIG_BLOCK);
  int before = alarms;
  struct itimerval it = {{0, 0}, {0, 20000}};
  setitimer(ITIMER_REAL, &it, NULL);
  sigset_t during;
  sigemptyset(&during);
  FD_ZERO(&r);
  FD_SET(e, &r);
  check(pselect(e + 1, &r, NULL, NULL, NULL, &during) == -1 && errno == EINTR,
        "pselect interrupted by a signal its mask lets in");
  check(alarms == before + 1, "handler ran during pselect");
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  check(sigismember(&now, SIGALRM), "pselect restored the mask");
  FD_ZERO(&r);
  FD_SET(p[0], &r);
  struct timespec ts = {0, 0};
  check(pselect(p[0] + 1, &r, NULL, NULL, &ts, &during) == 1 && FD_ISSET(p[0], &r), "pselect ready");
  // ppoll and epoll_pwait apply their masks the same way.
  before = alarms;
  setitimer(ITIMER_REAL, &it, NULL);
  check(ppoll(NULL, 0, NULL, &during) == -1 && errno == EINTR && alarms == before + 1,
        "ppoll: signal let in by its mask, handler ran");
  sigprocmask(SIG_BLOCK, NULL, &now);
  check(sigismember(&now, SIGALRM), "ppoll restored the mask");
  int ep = epoll_create1(0);
  struct epoll_event out;
  setitimer(ITIMER_REAL, &it, NULL);
  check(epoll_pwait(ep, &out, 1, -1, &during) == -1 && errno == EINTR && alarms == before + 2,
        "epoll_pwait: signal let in by its mask, handler ran");
  sigprocmask(SIG_BLOCK, NULL, &now);
  check(sigismember(&now, SIGALRM), "epoll_pwait restored the mask");
  // Blocked during the wait: the signal stays pending and the timeout ends the wait.
  sigset_t all;
  sigfillset(&all);
  setitimer(ITIMER_REAL, &it, NULL);
  check(epoll_pwait(ep, &out, 1, 60, &all) == 0 && alarms == before + 2, "masked signal: timeout");
  sigset_t pending;
  sigpending(&pending);
  check(sigismember(&pending, SIGALRM), "masked signal still pending");
  close(ep);
  block(SIGALRM, SIG_UNBLOCK); // delivered now
  check(alarms == before + 3, "delivered once unblocked");
  close(p[0]);
  close(p[1]);
  close(e);
}

static void test_itimer_and_posix_timers(void) {
  set_handler(SIGALRM, on_alarm, 0);
  alarms = 0;
  struct itimerval it = {{0, 10000}, {0, 10000}}, cur;
  long long t0 = now_ms(CLOCK_MONOTONIC);
  check(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer 10 ms interval");
  check(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_interval.tv_usec == 10000 &&
            cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 10000, "getitimer");
  // Each wait ends with EINTR (a handler ran). Once the kernel preempts user mode a signal
  // may also arrive between the waits, so only the total is counted.
  int waits = 0, interrupted = 0;
  while (alarms < 5 && waits++ < 50)
    interrupted += wait_for_signal();
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  long long ms = now_ms(CLOCK_MONOTONIC) - t0;
  check(alarms >= 5 && interrupted == waits, "interval timer fired 5 times");
  check_ms(ms, 50, "5 periods of 10 ms");
  getitimer(ITIMER_REAL, &cur);
  check(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0, "disarmed");
  int fired = alarms;
  poll(NULL, 0, 40);
  check(alarms == fired, "no SIGALRM once disarmed");
  check(setitimer(ITIMER_VIRTUAL, &it, NULL) == -1 && errno == EINVAL, "ITIMER_VIRTUAL: EINVAL");

  set_handler(SIGUSR1, on_usr1, 0);
  block(SIGUSR1, SIG_UNBLOCK);
  usr1s = 0;
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGUSR1;
  timer_t tid;
  check(timer_create(CLOCK_MONOTONIC, &sev, &tid) == 0, "timer_create SIGEV_SIGNAL");
  struct itimerspec its = {{0, 10000000}, {0, 10000000}}, got;
  check(timer_settime(tid, 0, &its, NULL) == 0, "timer_settime");
  check(timer_gettime(tid, &got) == 0 && got.it_interval.tv_nsec == 10000000 &&
            got.it_value.tv_nsec > 0, "timer_gettime");
  waits = 0;
  while (usr1s < 3 && waits++ < 30)
    wait_for_signal();
  check(usr1s >= 3, "POSIX timer signalled 3 times");
  check(timer_getoverrun(tid) >= 0, "timer_getoverrun");
  check(timer_delete(tid) == 0, "timer_delete");
  check(timer_gettime(tid, &got) == -1 && errno == EINVAL, "deleted timer: EINVAL");

  sev.sigev_notify = SIGEV_NONE;
  check(timer_create(CLOCK_REALTIME, &sev, &tid) == 0, "timer_create SIGEV_NONE");
  struct itimerspec sec = {{0, 0}, {100, 0}};
  timer_settime(tid, 0, &sec, NULL);
  timer_gettime(tid, &got);
  check(got.it_value.tv_sec < 100 && got.it_value.tv_sec >= 80, "SIGEV_NONE timer counts down");
  timer_delete(tid);
  check(timer_create(12345, &sev, &tid) == -1 && errno == EINVAL, "timer_create bad clock");

  struct timespec res;
  check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec == 1,
        "clock_getres MONOTONIC: 1 ns");
  check(clock_getres(CLOCK_REALTIME_COARSE, &res) == 0 && res.tv_nsec == 4000000,
        "clock_getres REALTIME_COARSE: 4 ms");
  check(clock_getres(CLOCK_BOOTTIME, &res) == 0 && res.tv_nsec == 1, "clock_getres BOOTTIME");
  check(clock_getres(1234, &res) == -1 && errno == EINVAL, "clock_getres bad clock");
}

int main(void) {
  test_alarm();
  test_epoll_pipes();
  test_epoll_eventfd_and_more();
  test_timerfd();
  test_signalfd();
  test_stream_sockets();
  test_message_sockets();
  test_select();
  test_itimer_and_posix_timers();
  printf("%s: %d of %d checks passed\n", failures ? "FAILED" : "all passed", checks - failures,
         checks);
  return failures;
}
