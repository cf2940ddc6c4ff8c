// AF_INET and AF_INET6 sockets over the loopback interface, inside one process: a TCP
// transfer of 8 MiB between two threads with a checksum on both ends, non-blocking connect
// with epoll (EPOLLET, EPOLLRDHUP) and accept4, refused and unreachable connects, bind
// conflicts, UDP datagrams (sendto/recvfrom, connect, MSG_PEEK, MSG_TRUNC, FIONREAD, an
// ICMP port unreachable read as ECONNREFUSED, sendmmsg/recvmmsg), shutdown, SO_RCVTIMEO,
// names, options, a dual-stack [::] listener taking IPv4 and ::1 clients, an IPv6-only
// listener on ::1, 200 pending connections, EINTR and SO_SNDTIMEO, EPOLLEXCLUSIVE (one of
// two exclusive waiters wakes), two SO_REUSEPORT listeners sharing the connections of one
// port, sendfile from a file into a connection. Prints one line
// per check; exits non-zero when any fails. Passes on Linux too (on a host without a
// route to 10.99.0.0/16).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define CHECK_PRINT_PASSES
#include "check.h"

static struct sockaddr_in loopback(uint16_t port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static uint16_t port_of(int fd) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr*)&a, &len) != 0)
    return 0;
  return ntohs(a.sin_port);
}

// A listening TCP socket on 127.0.0.1 with an ephemeral port.
static int tcp_listener(int flags) {
  int l = socket(AF_INET, SOCK_STREAM | flags, 0);
  struct sockaddr_in a = loopback(0);
  if (l < 0 || bind(l, (struct sockaddr*)&a, sizeof a) != 0 || listen(l, 16) != 0)
    return -1;
  return l;
}

static uint64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

// ---- bulk transfer ----
enum { kBulkBytes = 8 << 20 };

// The byte at position i of the stream (an LCG, so both ends agree without sharing it).
static uint8_t stream_byte(uint32_t* state) {
  *state = *state * 1103515245u + 12345u;
  return (uint8_t)(*state >> 16);
}

// FNV-1a over the bytes.
static uint64_t fnv(uint64_t h, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

struct bulk_result {
  uint64_t received, digest;
  int eof_seen;
};

static int g_bulk_listener;
static struct bulk_result g_bulk;

// Accepts one connection, reads until end of stream, answers with its digest.
static void* bulk_server(void* arg) {
  (void)arg;
  int a = accept(g_bulk_listener, NULL, NULL);
  if (a < 0)
    return (void*)1;
  static uint8_t buf[65536];
  uint64_t h = 0xcbf29ce484222325ull;
  for (;;) {
    ssize_t n = read(a, buf, sizeof buf);
    if (n < 0)
      return (void*)2;
    if (n == 0) {
      g_bulk.eof_seen = 1;
      break;
    }
    h = fnv(h, buf, (size_t)n);
    g_bulk.received += (uint64_t)n;
  }
  g_bulk.digest = h;
  if (write(a, &h, sizeof h) != sizeof h) // the half-closed peer still reads
    return (void*)3;
  close(a);
  return NULL;
}

static void test_bulk_transfer(void) {
  g_bulk_listener = tcp_listener(0);
  check(g_bulk_listener >= 0, "tcp: listen on 127.0.0.1, ephemeral port");
  pthread_t t;
  pthread_create(&t, NULL, bulk_server, NULL);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(port_of(g_bulk_listener));
  check(connect(c, (struct sockaddr*)&a, sizeof a) == 0, "tcp: blocking connect");
  static uint8_t buf[100000]; // not a power of two: writes straddle the engine's segments
  uint32_t state = 1;
  uint64_t h = 0xcbf29ce484222325ull, sent = 0;
  uint64_t t0 = now_ms();
  int write_failed = 0;
  while (sent < kBulkBytes) {
    size_t n = kBulkBytes - sent < sizeof buf ? kBulkBytes - sent : sizeof buf;
    for (size_t i = 0; i < n; ++i)
      buf[i] = stream_byte(&state);
    h = fnv(h, buf, n);
    size_t off = 0;
    while (off < n) {
      ssize_t w = write(c, buf + off, n - off);
      if (w <= 0) {
        write_failed = 1;
        break;
      }
      off += (size_t)w;
    }
    if (write_failed)
      break;
    sent += n;
  }
  check(!write_failed && sent == kBulkBytes, "tcp: 8 MiB written");
  check(shutdown(c, SHUT_WR) == 0, "tcp: shutdown(SHUT_WR)");
  uint64_t their = 0;
  ssize_t got = recv(c, &their, sizeof their, MSG_WAITALL);
  uint64_t ms = now_ms() - t0;
  check(got == sizeof their, "tcp: the half-closed writer still reads the server's answer");
  void* status = (void*)-1;
  pthread_join(t, &status);
  check(status == NULL, "tcp: server thread finished cleanly");
  check(g_bulk.eof_seen, "tcp: server read end of stream after SHUT_WR");
  check(g_bulk.received == kBulkBytes, "tcp: server received exactly 8 MiB");
  check(their == h && g_bulk.digest == h, "tcp: digests of both ends match");
  check(read(c, buf, 1) == 0, "tcp: end of stream after the server closed");
  printf("info: 8 MiB over loopback in %llu ms\n", (unsigned long long)ms);
  close(c);
  close(g_bulk_listener);
}

// ---- non-blocking connect, epoll, accept4 ----
static void test_nonblocking_epoll(void) {
  int l = tcp_listener(SOCK_NONBLOCK);
  check(l >= 0, "nb: non-blocking listener");
  check(accept4(l, NULL, NULL, 0) == -1 && errno == EAGAIN, "nb: accept with nothing queued: EAGAIN");
  int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in a = loopback(port_of(l));
  check(connect(c, (struct sockaddr*)&a, sizeof a) == -1 && errno == EINPROGRESS,
        "nb: connect returns EINPROGRESS");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLET | EPOLLRDHUP, .data.u32 = 1};
  check(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) == 0, "nb: epoll_ctl add client (EPOLLET)");
  struct epoll_event lev = {.events = EPOLLIN, .data.u32 = 2};
  check(epoll_ctl(ep, EPOLL_CTL_ADD, l, &lev) == 0, "nb: epoll_ctl add listener");
  struct epoll_event out[4];
  int writable = 0, acceptable = 0;
  for (int round = 0; round < 10 && !(writable && acceptable); ++round) {
    int n = epoll_wait(ep, out, 4, 1000);
    for (int i = 0; i < n; ++i) {
      if (out[i].data.u32 == 1 && (out[i].events & EPOLLOUT))
        writable = 1;
      if (out[i].data.u32 == 2 && (out[i].events & EPOLLIN))
        acceptable = 1;
    }
  }
  check(writable, "nb: epoll reports the connecting socket writable");
  check(acceptable, "nb: epoll reports the listener readable");
  int err = -1;
  socklen_t len = sizeof err;
  check(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "nb: SO_ERROR is 0");
  struct sockaddr_in peer;
  socklen_t plen = sizeof peer;
  int s = accept4(l, (struct sockaddr*)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
  check(s >= 0, "nb: accept4");
  check((fcntl(s, F_GETFL) & O_NONBLOCK) && (fcntl(s, F_GETFD) & FD_CLOEXEC),
        "nb: accept4 applied SOCK_NONBLOCK and SOCK_CLOEXEC");
  check(plen == sizeof peer && peer.sin_family == AF_INET && ntohs(peer.sin_port) == port_of(c),
        "nb: accept reports the client's address");
  // Edge triggered: no new event until something changes.
  check(epoll_wait(ep, out, 4, 0) == 0, "nb: EPOLLET: no second report without a change");
  check(write(s, "hello", 5) == 5, "nb: server writes");
  int n = epoll_wait(ep, out, 4, 1000);
  check(n == 1 && out[0].data.u32 == 1 && (out[0].events & EPOLLIN), "nb: EPOLLIN edge on data");
  char buf[16];
  check(read(c, buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0, "nb: client reads it");
  check(read(c, buf, sizeof buf) == -1 && errno == EAGAIN, "nb: empty non-blocking read: EAGAIN");
  check(epoll_wait(ep, out, 4, 0) == 0, "nb: EPOLLET: quiet after draining");
  close(s);
  n = epoll_wait(ep, out, 4, 1000);
  check(n == 1 && (out[0].events & EPOLLRDHUP) && (out[0].events & EPOLLIN),
        "nb: EPOLLRDHUP when the peer closes");
  check(read(c, buf, sizeof buf) == 0, "nb: read returns 0 after the peer's FIN");
  close(ep);
  close(c);
  close(l);
}

// ---- failures ----
static void test_errors(void) {
  // A port nobody listens on: bind one, note it, close it.
  int tmp = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(0);
  bind(tmp, (struct sockaddr*)&a, sizeof a);
  uint16_t closed_port = port_of(tmp);
  close(tmp);
  a = loopback(closed_port);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  check(connect(c, (struct sockaddr*)&a, sizeof a) == -1 && errno == ECONNREFUSED,
        "err: blocking connect to a closed port: ECONNREFUSED");
  close(c);
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int r = connect(c, (struct sockaddr*)&a, sizeof a);
  check(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED),
        "err: non-blocking connect to a closed port starts");
  struct pollfd p = {.fd = c, .events = POLLOUT};
  check(poll(&p, 1, 1000) == 1 && (p.revents & (POLLERR | POLLHUP)), "err: poll reports the failure");
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len);
  check(errno == EINPROGRESS ? err == ECONNREFUSED : 1, "err: SO_ERROR is ECONNREFUSED");
  close(c);

  c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in far = loopback(80);
  far.sin_addr.s_addr = inet_addr("10.99.1.2"); // no route: only loopback exists
  check(connect(c, (struct sockaddr*)&far, sizeof far) == -1 && errno == ENETUNREACH,
        "err: connect without a route: ENETUNREACH");
  char ch;
  check(recv(c, &ch, 1, 0) == -1 && errno == ENOTCONN, "err: recv on an unconnected socket: ENOTCONN");
  close(c);

  // Bind conflicts.
  int b1 = socket(AF_INET, SOCK_STREAM, 0), b2 = socket(AF_INET, SOCK_STREAM, 0);
  a = loopback(0);
  bind(b1, (struct sockaddr*)&a, sizeof a);
  a = loopback(port_of(b1));
  check(bind(b2, (struct sockaddr*)&a, sizeof a) == -1 && errno == EADDRINUSE,
        "bind: the same TCP port twice: EADDRINUSE");
  close(b1);
  close(b2);
  b1 = socket(AF_INET, SOCK_STREAM, 0);
  b2 = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(b1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(b2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  a = loopback(0);
  bind(b1, (struct sockaddr*)&a, sizeof a);
  a = loopback(port_of(b1));
  check(bind(b2, (struct sockaddr*)&a, sizeof a) == 0, "bind: SO_REUSEADDR on both: shared");
  close(b1);
  close(b2);
  int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
  a = loopback(0);
  bind(u1, (struct sockaddr*)&a, sizeof a);
  a = loopback(port_of(u1));
  check(bind(u2, (struct sockaddr*)&a, sizeof a) == -1 && errno == EADDRINUSE,
        "bind: the same UDP port twice: EADDRINUSE");
  close(u1);
  close(u2);
  int l = tcp_listener(0);
  int l2 = socket(AF_INET, SOCK_STREAM, 0);
  a = loopback(port_of(l));
  check(bind(l2, (struct sockaddr*)&a, sizeof a) == -1 && errno == EADDRINUSE,
        "bind: a listener's port: EADDRINUSE");
  close(l2);
  close(l);
}

// ---- a connected pair for the smaller checks ----
static void tcp_pair(int* client, int* server) {
  int l = tcp_listener(0);
  *client = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(port_of(l));
  connect(*client, (struct sockaddr*)&a, sizeof a);
  *server = accept(l, NULL, NULL);
  close(l);
}

static volatile int g_sigpipes;
static void on_sigpipe(int sig) {
  (void)sig;
  ++g_sigpipes;
}

static void test_stream_details(void) {
  int c, s;
  tcp_pair(&c, &s);
  check(c >= 0 && s >= 0, "pair: connected");
  // Names.
  struct sockaddr_in cl, cp, sl, sp;
  socklen_t n1 = sizeof cl, n2 = sizeof cp, n3 = sizeof sl, n4 = sizeof sp;
  getsockname(c, (struct sockaddr*)&cl, &n1);
  getpeername(c, (struct sockaddr*)&cp, &n2);
  getsockname(s, (struct sockaddr*)&sl, &n3);
  getpeername(s, (struct sockaddr*)&sp, &n4);
  check(cl.sin_port == sp.sin_port && cl.sin_addr.s_addr == sp.sin_addr.s_addr,
        "names: client's name is the server's peer");
  check(cp.sin_port == sl.sin_port && cp.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
        "names: server's name is the client's peer");
  // Options.
  int v = 1, got = 0;
  socklen_t len = sizeof got;
  check(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) == 0 &&
            getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &got, &len) == 0 && got == 1,
        "opt: TCP_NODELAY set and read back");
  len = sizeof got;
  check(getsockopt(c, SOL_SOCKET, SO_TYPE, &got, &len) == 0 && got == SOCK_STREAM, "opt: SO_TYPE");
  v = 30;
  len = sizeof got;
  check(setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v) == 0 &&
            getsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &got, &len) == 0 && got == 30,
        "opt: TCP_KEEPIDLE");
  v = 1;
  check(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v) == 0, "opt: SO_KEEPALIVE");
  struct tcp_info info;
  len = sizeof info;
  memset(&info, 0xff, sizeof info);
  check(getsockopt(c, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 && info.tcpi_state == TCP_ESTABLISHED &&
            info.tcpi_snd_mss > 0,
        "opt: TCP_INFO says ESTABLISHED with an MSS");
  struct linger lg = {1, 0};
  len = sizeof lg;
  check(getsockopt(c, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff == 0, "opt: SO_LINGER off");
  v = 0x10;
  len = sizeof got;
  check(setsockopt(c, IPPROTO_IP, IP_TOS, &v, sizeof v) == 0 &&
            getsockopt(c, IPPROTO_IP, IP_TOS, &got, &len) == 0 && got == 0x10,
        "opt: IP_TOS");
  // MSG_PEEK and FIONREAD.
  check(send(s, "0123456789", 10, 0) == 10, "peek: server sends 10 bytes");
  struct pollfd p = {.fd = c, .events = POLLIN};
  poll(&p, 1, 1000);
  int avail = -1;
  check(ioctl(c, FIONREAD, &avail) == 0 && avail == 10, "peek: FIONREAD is 10");
  char buf[32];
  check(recv(c, buf, 4, MSG_PEEK) == 4 && memcmp(buf, "0123", 4) == 0, "peek: MSG_PEEK sees 4");
  check(recv(c, buf, sizeof buf, MSG_DONTWAIT) == 10 && memcmp(buf, "0123456789", 10) == 0,
        "peek: the peeked bytes are still there");
  check(recv(c, buf, sizeof buf, MSG_DONTWAIT) == -1 && errno == EAGAIN, "peek: MSG_DONTWAIT: EAGAIN");
  // SO_RCVTIMEO.
  struct timeval tv = {0, 200000};
  check(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0, "timeo: SO_RCVTIMEO 200 ms");
  struct timeval back;
  len = sizeof back;
  check(getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &back, &len) == 0 && back.tv_usec == 200000,
        "timeo: read back");
  uint64_t t0 = now_ms();
  check(recv(c, buf, sizeof buf, 0) == -1 && errno == EAGAIN, "timeo: blocking recv times out: EAGAIN");
  uint64_t waited = now_ms() - t0;
  check(waited >= 150 && waited < 5000, "timeo: after about 200 ms");
  // Vectors and MSG_WAITALL.
  struct iovec iov[2] = {{(void*)"ab", 2}, {(void*)"cdef", 4}};
  check(writev(s, iov, 2) == 6, "vec: writev 6 bytes");
  char x[3], y[3];
  struct iovec rio[2] = {{x, 3}, {y, 3}};
  struct msghdr m = {.msg_iov = rio, .msg_iovlen = 2};
  check(recvmsg(c, &m, MSG_WAITALL) == 6 && memcmp(x, "abc", 3) == 0 && memcmp(y, "def", 3) == 0,
        "vec: recvmsg with MSG_WAITALL across two buffers");
  // Shutdown semantics.
  check(shutdown(c, SHUT_WR) == 0, "shut: client SHUT_WR");
  check(send(c, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE, "shut: send after SHUT_WR: EPIPE");
  tv.tv_usec = 0;
  tv.tv_sec = 2;
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  check(recv(s, buf, sizeof buf, 0) == 0, "shut: the server reads end of stream");
  check(send(s, "back", 4, 0) == 4, "shut: the server still sends");
  check(recv(c, buf, sizeof buf, 0) == 4, "shut: the half-closed client still receives");
  close(s);
  signal(SIGPIPE, on_sigpipe);
  check(recv(c, buf, sizeof buf, 0) == 0, "shut: end of stream after the server closed");
  close(c);

  // A peer that closes with our data unread: its RST makes our next read ECONNRESET.
  tcp_pair(&c, &s);
  send(c, "unread", 6, 0);
  p.fd = s;
  poll(&p, 1, 1000);
  close(s); // unread data: RST (RFC 2525)
  p.fd = c;
  p.events = POLLIN;
  poll(&p, 1, 1000);
  check(recv(c, buf, sizeof buf, 0) == -1 && errno == ECONNRESET, "reset: ECONNRESET after a RST");
  g_sigpipes = 0;
  ssize_t w = send(c, "x", 1, 0);
  check(w == -1 && errno == EPIPE, "reset: send afterwards: EPIPE");
  check(g_sigpipes == 1, "reset: ... and SIGPIPE");
  signal(SIGPIPE, SIG_DFL);
  close(c);
}

// ---- UDP ----
static void test_udp(void) {
  int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in any = loopback(0);
  check(bind(a, (struct sockaddr*)&any, sizeof any) == 0, "udp: bind an ephemeral port");
  struct sockaddr_in to = loopback(port_of(a));
  check(sendto(b, "datagram", 8, 0, (struct sockaddr*)&to, sizeof to) == 8, "udp: sendto");
  int avail = -1;
  check(ioctl(a, FIONREAD, &avail) == 0 && avail == 8, "udp: FIONREAD is the datagram's length");
  char buf[32];
  check(recv(a, buf, 3, MSG_PEEK) == 3, "udp: MSG_PEEK");
  struct sockaddr_in from;
  socklen_t flen = sizeof from;
  char small[4];
  struct iovec iov = {small, sizeof small};
  struct msghdr m = {.msg_name = &from, .msg_namelen = flen, .msg_iov = &iov, .msg_iovlen = 1};
  check(recvmsg(a, &m, 0) == 4 && (m.msg_flags & MSG_TRUNC) && memcmp(small, "data", 4) == 0,
        "udp: a short buffer truncates (MSG_TRUNC)");
  check(ntohs(from.sin_port) == port_of(b) && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
        "udp: recvmsg reports the sender");
  check(recv(a, buf, sizeof buf, MSG_DONTWAIT) == -1 && errno == EAGAIN, "udp: nothing left: EAGAIN");
  // connect: the default destination and a filter.
  struct sockaddr_in back = loopback(port_of(b));
  check(connect(a, (struct sockaddr*)&back, sizeof back) == 0, "udp: connect");
  check(send(a, "reply", 5, 0) == 5, "udp: send on a connected socket");
  flen = sizeof from;
  check(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr*)&from, &flen) == 5 &&
            memcmp(buf, "reply", 5) == 0 && ntohs(from.sin_port) == port_of(a),
        "udp: recvfrom");
  struct sockaddr_in peer;
  socklen_t plen = sizeof peer;
  check(getpeername(a, (struct sockaddr*)&peer, &plen) == 0 && peer.sin_port == back.sin_port,
        "udp: getpeername after connect");
  // sendmmsg / recvmmsg.
  struct mmsghdr msgs[3];
  struct iovec v[3];
  const char* words[3] = {"one", "two", "three"};
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < 3; ++i) {
    v[i].iov_base = (void*)words[i];
    v[i].iov_len = strlen(words[i]);
    msgs[i].msg_hdr.msg_iov = &v[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  check(sendmmsg(a, msgs, 3, 0) == 3 && msgs[2].msg_len == 5, "udp: sendmmsg of 3");
  char r[3][8];
  struct iovec rv[3];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < 3; ++i) {
    rv[i].iov_base = r[i];
    rv[i].iov_len = sizeof r[i];
    msgs[i].msg_hdr.msg_iov = &rv[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  check(recvmmsg(b, msgs, 3, MSG_DONTWAIT, NULL) == 3 && msgs[1].msg_len == 3 &&
            memcmp(r[2], "three", 5) == 0,
        "udp: recvmmsg of 3");
  // An ICMP port unreachable for a connected socket: ECONNREFUSED.
  int gone = socket(AF_INET, SOCK_DGRAM, 0);
  bind(gone, (struct sockaddr*)&any, sizeof any);
  struct sockaddr_in dead = loopback(port_of(gone));
  close(gone);
  int c = socket(AF_INET, SOCK_DGRAM, 0);
  connect(c, (struct sockaddr*)&dead, sizeof dead);
  send(c, "x", 1, 0);
  struct timeval tv = {1, 0};
  setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  check(recv(c, buf, sizeof buf, 0) == -1 && errno == ECONNREFUSED,
        "udp: port unreachable makes the next recv ECONNREFUSED");
  close(c);
  close(a);
  close(b);
}

// ---- AF_INET6, dual stack ----
static void* connect_v4(void* arg) {
  uint16_t port = (uint16_t)(uintptr_t)arg;
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(port);
  if (connect(c, (struct sockaddr*)&a, sizeof a) != 0)
    return (void*)1;
  if (write(c, "v4", 2) != 2)
    return (void*)2;
  close(c);
  return NULL;
}

static void test_dual_stack(void) {
  int l = socket(AF_INET6, SOCK_STREAM, 0);
  check(l >= 0, "v6: AF_INET6 stream socket");
  int off = 0, got = -1;
  socklen_t len = sizeof got;
  check(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0 &&
            getsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &got, &len) == 0 && got == 0,
        "v6: IPV6_V6ONLY off");
  struct sockaddr_in6 a;
  memset(&a, 0, sizeof a);
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_any;
  check(bind(l, (struct sockaddr*)&a, sizeof a) == 0 && listen(l, 8) == 0, "v6: listen on [::]");
  struct sockaddr_in6 name;
  len = sizeof name;
  getsockname(l, (struct sockaddr*)&name, &len);
  uint16_t port = ntohs(name.sin6_port);
  check(len == sizeof name && name.sin6_family == AF_INET6 && port != 0, "v6: getsockname is a sockaddr_in6");
  pthread_t t;
  pthread_create(&t, NULL, connect_v4, (void*)(uintptr_t)port);
  struct sockaddr_in6 peer;
  socklen_t plen = sizeof peer;
  int s = accept(l, (struct sockaddr*)&peer, &plen);
  check(s >= 0, "v6: an IPv4 client is accepted on [::]");
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(AF_INET6, &peer.sin6_addr, text, sizeof text);
  check(plen == sizeof peer && strcmp(text, "::ffff:127.0.0.1") == 0, "v6: its address is v4-mapped");
  char buf[4];
  check(read(s, buf, sizeof buf) == 2 && memcmp(buf, "v4", 2) == 0, "v6: data from the IPv4 client");
  void* status = (void*)-1;
  pthread_join(t, &status);
  check(status == NULL, "v6: client thread done");
  close(s);
  // An AF_INET6 client to a v4-mapped address.
  int c = socket(AF_INET6, SOCK_STREAM, 0);
  struct sockaddr_in6 to;
  memset(&to, 0, sizeof to);
  to.sin6_family = AF_INET6;
  to.sin6_port = htons(port);
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &to.sin6_addr);
  check(connect(c, (struct sockaddr*)&to, sizeof to) == 0, "v6: AF_INET6 client to ::ffff:127.0.0.1");
  s = accept(l, NULL, NULL);
  check(s >= 0, "v6: accepted");
  close(s);
  close(c);
  // The dual-stack listener takes ::1 clients too.
  c = socket(AF_INET6, SOCK_STREAM, 0);
  to.sin6_addr = in6addr_loopback;
  check(connect(c, (struct sockaddr*)&to, sizeof to) == 0, "v6: connect to [::1] (dual-stack listener)");
  plen = sizeof peer;
  s = accept(l, (struct sockaddr*)&peer, &plen);
  check(s >= 0 && memcmp(&peer.sin6_addr, &in6addr_loopback, 16) == 0, "v6: the peer is ::1");
  close(s);
  close(c);
  close(l);

  // An IPv6-only listener on ::1: IPv6 clients only.
  l = socket(AF_INET6, SOCK_STREAM, 0);
  int on = 1;
  setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  memset(&a, 0, sizeof a);
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  check(bind(l, (struct sockaddr*)&a, sizeof a) == 0 && listen(l, 4) == 0, "v6: listen on [::1], V6ONLY");
  len = sizeof name;
  getsockname(l, (struct sockaddr*)&name, &len);
  c = socket(AF_INET6, SOCK_STREAM, 0);
  check(connect(c, (struct sockaddr*)&name, len) == 0, "v6: connect over ::1");
  s = accept(l, NULL, NULL);
  check(s >= 0 && write(c, "six", 3) == 3 && read(s, buf, 3) == 3 && memcmp(buf, "six", 3) == 0,
        "v6: data over ::1");
  struct sockaddr_in6 cpeer;
  socklen_t cplen = sizeof cpeer;
  check(getpeername(c, (struct sockaddr*)&cpeer, &cplen) == 0 && cpeer.sin6_port == name.sin6_port &&
            memcmp(&cpeer.sin6_addr, &in6addr_loopback, 16) == 0,
        "v6: getpeername shows [::1]");
  close(s);
  close(c);
  int c4 = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in v4 = loopback(ntohs(name.sin6_port));
  check(connect(c4, (struct sockaddr*)&v4, sizeof v4) == -1 && errno == ECONNREFUSED,
        "v6: the V6ONLY port refuses IPv4");
  close(c4);
  close(l);
}

// ---- many pending connections, blocking waits that end ----
static void on_alarm(int sig) {
  (void)sig;
}

static void test_backlog_and_waits(void) {
  enum { kClients = 200 };
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(0);
  bind(l, (struct sockaddr*)&a, sizeof a);
  check(listen(l, 4096) == 0, "backlog: listen(4096)");
  a = loopback(port_of(l));
  static int clients[kClients];
  int started = 0;
  for (int i = 0; i < kClients; ++i) {
    clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(clients[i], (struct sockaddr*)&a, sizeof a);
    if (r == 0 || errno == EINPROGRESS)
      ++started;
  }
  check(started == kClients, "backlog: 200 non-blocking connects under way");
  int accepted = 0;
  for (int i = 0; i < kClients; ++i) {
    struct pollfd p = {.fd = l, .events = POLLIN};
    if (poll(&p, 1, 2000) != 1)
      break;
    int s = accept(l, NULL, NULL);
    if (s < 0)
      break;
    ++accepted;
    close(s);
  }
  check(accepted == kClients, "backlog: all 200 accepted");
  for (int i = 0; i < kClients; ++i)
    close(clients[i]);
  close(l);

  // A blocking recv ends with EINTR when a signal handler without SA_RESTART runs.
  int c, s;
  tcp_pair(&c, &s);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 0}, {0, 100000}};
  setitimer(ITIMER_REAL, &it, NULL);
  char buf[16];
  check(recv(c, buf, sizeof buf, 0) == -1 && errno == EINTR, "wait: a signal ends a blocking recv: EINTR");
  // SO_SNDTIMEO: a peer that never reads fills the buffers; a blocking send then times out.
  static char chunk[65536];
  int flags = fcntl(c, F_GETFL);
  fcntl(c, F_SETFL, flags | O_NONBLOCK);
  long total = 0;
  for (int i = 0; i < 4096; ++i) {
    ssize_t w = send(c, chunk, sizeof chunk, 0);
    if (w < 0)
      break;
    total += w;
  }
  check(errno == EAGAIN && total > 0, "wait: a non-blocking sender fills the buffers: EAGAIN");
  fcntl(c, F_SETFL, flags);
  struct timeval tv = {0, 200000};
  setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  uint64_t t0 = now_ms();
  ssize_t w = send(c, chunk, sizeof chunk, 0);
  uint64_t waited = now_ms() - t0;
  check((w == -1 && errno == EAGAIN) || (w > 0 && w < (ssize_t)sizeof chunk),
        "wait: blocking send with SO_SNDTIMEO returns (EAGAIN or partial)");
  check(waited >= 150 && waited < 5000, "wait: after about 200 ms");
  close(s);
  close(c);
}

// EPOLLEXCLUSIVE: two threads wait on their own epoll instances, both watching one listener
// exclusively; a connection wakes one of them, the other times out.
static int g_excl_listener;
static volatile int g_excl_ready;
static void* exclusive_waiter(void* arg) {
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};
  long got = -1;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, g_excl_listener, &ev) == 0) {
    __sync_fetch_and_add(&g_excl_ready, 1);
    got = epoll_wait(ep, &ev, 1, 1500);
  }
  close(ep);
  (void)arg;
  return (void*)got;
}

static void test_epoll_exclusive(void) {
  g_excl_listener = tcp_listener(0);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};
  check(epoll_ctl(ep, EPOLL_CTL_ADD, g_excl_listener, &ev) == 0, "EPOLLEXCLUSIVE: accepted by EPOLL_CTL_ADD");
  errno = 0;
  check(epoll_ctl(ep, EPOLL_CTL_MOD, g_excl_listener, &ev) == -1 && errno == EINVAL,
        "EPOLLEXCLUSIVE: EPOLL_CTL_MOD is EINVAL");
  close(ep);
  pthread_t t[2];
  pthread_create(&t[0], NULL, exclusive_waiter, NULL);
  pthread_create(&t[1], NULL, exclusive_waiter, NULL);
  while (g_excl_ready < 2)
    usleep(1000);
  usleep(200 * 1000); // both inside epoll_wait
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(port_of(g_excl_listener));
  check(connect(c, (struct sockaddr*)&a, sizeof a) == 0, "EPOLLEXCLUSIVE: connect");
  void* r0;
  void* r1;
  pthread_join(t[0], &r0);
  pthread_join(t[1], &r1);
  long woke = (long)r0 + (long)r1;
  check((long)r0 >= 0 && (long)r1 >= 0 && woke == 1,
        "EPOLLEXCLUSIVE: one connection wakes one of two exclusive waiters");
  close(c);
  close(g_excl_listener);
}

// SO_REUSEPORT: two listeners share a port and the connections are spread over both.
static void test_reuseport(void) {
  int one = 1, l[2];
  struct sockaddr_in a = loopback(0);
  for (int i = 0; i < 2; ++i) {
    l[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(l[i], SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    check(bind(l[i], (struct sockaddr*)&a, sizeof a) == 0 && listen(l[i], 64) == 0,
          "SO_REUSEPORT: bind and listen on the shared port");
    a.sin_port = htons(port_of(l[0]));
  }
  int other = socket(AF_INET, SOCK_STREAM, 0);
  errno = 0;
  check(bind(other, (struct sockaddr*)&a, sizeof a) == -1 && errno == EADDRINUSE,
        "SO_REUSEPORT: a socket without it cannot join (EADDRINUSE)");
  close(other);
  enum { kClients = 16 };
  int clients[kClients], connected = 0;
  for (int i = 0; i < kClients; ++i) {
    clients[i] = socket(AF_INET, SOCK_STREAM, 0);
    connected += connect(clients[i], (struct sockaddr*)&a, sizeof a) == 0;
  }
  check(connected == kClients, "SO_REUSEPORT: 16 clients connect");
  int got[2] = {0, 0};
  for (int round = 0; round < 50 && got[0] + got[1] < kClients; ++round) {
    for (int i = 0; i < 2; ++i) {
      int c;
      while ((c = accept(l[i], NULL, NULL)) >= 0) {
        ++got[i];
        close(c);
      }
    }
    if (got[0] + got[1] < kClients)
      usleep(10 * 1000);
  }
  printf("     (accepted %d and %d)\n", got[0], got[1]);
  check(got[0] + got[1] == kClients && got[0] > 0 && got[1] > 0,
        "SO_REUSEPORT: each listener accepts some of the connections");
  for (int i = 0; i < kClients; ++i)
    close(clients[i]);
  // With one listener closed, the other takes every new connection.
  close(l[0]);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  check(connect(c, (struct sockaddr*)&a, sizeof a) == 0, "SO_REUSEPORT: connect after one closed");
  struct pollfd p = {.fd = l[1], .events = POLLIN};
  int s = poll(&p, 1, 2000) == 1 ? accept(l[1], NULL, NULL) : -1;
  check(s >= 0, "SO_REUSEPORT: the remaining listener accepts it");
  if (s >= 0)
    close(s);
  close(c);
  close(l[1]);
}

// sendfile from a file into a TCP socket: 256 KiB read by another thread, byte for byte.
enum { kSendfileBytes = 256 * 1024 };
static int g_sendfile_server;
static void* sendfile_reader(void* arg) {
  static uint8_t got[kSendfileBytes];
  size_t have = 0;
  ssize_t n;
  while (have < sizeof got && (n = read(g_sendfile_server, got + have, sizeof got - have)) > 0)
    have += (size_t)n;
  (void)arg;
  return (void*)(uintptr_t)(have == sizeof got ? fnv(1469598103934665603ull, got, have) : 0);
}

static void test_sendfile(void) {
  static uint8_t data[kSendfileBytes];
  uint32_t state = 7;
  for (size_t i = 0; i < sizeof data; ++i)
    data[i] = stream_byte(&state);
  const char* path = "sendfile-source.bin";
  int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  check(f >= 0 && write(f, data, sizeof data) == (ssize_t)sizeof data,
        "sendfile: a 256 KiB source file");
  int c, s;
  tcp_pair(&c, &s);
  g_sendfile_server = s;
  pthread_t t;
  pthread_create(&t, NULL, sendfile_reader, NULL);
  // Half with an explicit offset (the file offset stays), half from the file offset.
  off_t off = 0;
  lseek(f, sizeof data / 2, SEEK_SET);
  ssize_t first = sendfile(c, f, &off, sizeof data / 2);
  check(first == (ssize_t)sizeof data / 2 && off == (off_t)sizeof data / 2 &&
            lseek(f, 0, SEEK_CUR) == (off_t)sizeof data / 2,
        "sendfile: with an offset, which advances; the file offset stays");
  size_t rest = 0;
  ssize_t n;
  while (rest < sizeof data / 2 && (n = sendfile(c, f, NULL, sizeof data / 2 - rest)) > 0)
    rest += (size_t)n;
  check(rest == sizeof data / 2 && lseek(f, 0, SEEK_CUR) == (off_t)sizeof data,
        "sendfile: from the file offset, which advances");
  void* digest;
  pthread_join(t, &digest);
  check((uint64_t)(uintptr_t)digest == fnv(1469598103934665603ull, data, sizeof data),
        "sendfile: the reader got every byte in order");
  close(c);
  close(s);
  close(f);
  unlink(path);
}

// ---- SO_SNDBUF is applied, not only reported ----
// Bytes a connection takes before EAGAIN while its peer reads nothing: the peer's receive
// window plus the sender's buffer.
static size_t fill_until_full(int fd) {
  static char block[4096];
  size_t total = 0;
  while (total < ((size_t)64 << 20)) {
    ssize_t n = send(fd, block, sizeof block, MSG_DONTWAIT);
    if (n <= 0)
      break;
    total += (size_t)n;
  }
  return total;
}

static void test_buffer_sizes(void) {
  int c1, s1, c2, s2;
  tcp_pair(&c1, &s1);
  tcp_pair(&c2, &s2);
  int v = 16384;
  check(setsockopt(c2, SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0, "sndbuf: SO_SNDBUF 16 KiB");
  size_t tuned = fill_until_full(c1), fixed = fill_until_full(c2);
  printf("     sndbuf: %zu bytes taken with the default buffer, %zu with 16 KiB\n", tuned, fixed);
  check(fixed < tuned, "sndbuf: a 16 KiB send buffer takes less before EAGAIN than the default");
  close(c1);
  close(s1);
  close(c2);
  close(s2);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  test_bulk_transfer();
  test_nonblocking_epoll();
  test_errors();
  test_stream_details();
  test_udp();
  test_dual_stack();
  test_backlog_and_waits();
  test_epoll_exclusive();
  test_reuseport();
  test_sendfile();
  test_buffer_sizes();
  printf("%s: %d of %d checks passed\n", failures ? "FAILED" : "all passed", checks - failures,
         checks);
  return failures ? 1 : 0;
}
