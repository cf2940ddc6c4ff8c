// Named AF_UNIX sockets inside one process: bind (path and abstract names), listen,
// datagrams by name (sendto, recvfrom's sender, connect as the destination),
// connect, accept/accept4 (blocking in another thread, non-blocking, flags), names through
// getsockname/getpeername, backlog limits (EAGAIN, a blocking connect waiting for room),
// type checks, seqpacket boundaries across an accepted connection, and what a client sees
// when the listener closes. Passes on Linux too.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static socklen_t path_addr(struct sockaddr_un* a, const char* path) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  strcpy(a->sun_path, path);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t abstract_addr(struct sockaddr_un* a, const char* name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path + 1, name, strlen(name)); // sun_path[0] = 0: the abstract namespace
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static const char kPath[] = "/tmp/nanos-sockets-test.sock";
static int g_listener;

// Accepts one connection (blocking) and echoes what it reads, upper-cased, then closes.
static void* echo_server(void* arg) {
  (void)arg;
  int a = accept(g_listener, NULL, NULL);
  if (a < 0)
    return (void*)1;
  char buf[64];
  ssize_t n = read(a, buf, sizeof buf);
  for (ssize_t i = 0; i < n; ++i)
    if (buf[i] >= 'a' && buf[i] <= 'z')
      buf[i] = (char)(buf[i] - 32);
  if (n > 0 && write(a, buf, (size_t)n) != n)
    return (void*)2;
  close(a);
  return NULL;
}

// Accepts one connection on g_listener after a pause (a connect is waiting for room).
static void* late_accept(void* arg) {
  (void)arg;
  struct timespec pause = {0, 30 * 1000 * 1000};
  nanosleep(&pause, NULL);
  int a = accept(g_listener, NULL, NULL);
  if (a < 0)
    return (void*)1;
  close(a);
  return NULL;
}

// Accepts one connection on g_listener at once (blocking).
static void* blocked_accept(void* arg) {
  (void)arg;
  int a = accept(g_listener, NULL, NULL);
  if (a < 0)
    return (void*)1;
  close(a);
  return NULL;
}

int main(void) {
  struct sockaddr_un addr, got;
  socklen_t len, glen;
  unlink(kPath); // a socket node left behind by an earlier run (bind creates one)

  // bind, listen, names.
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  len = path_addr(&addr, kPath);
  check(bind(l, (struct sockaddr*)&addr, len) == 0, "bind a path");
  check(bind(l, (struct sockaddr*)&addr, len) == -1 && errno == EADDRINUSE,
        "bind its own path again: EADDRINUSE");
  struct sockaddr_un second;
  socklen_t second_len = path_addr(&second, "/tmp/nanos-sockets-second.sock");
  unlink(second.sun_path);
  check(bind(l, (struct sockaddr*)&second, second_len) == -1 && errno == EINVAL,
        "a second name: EINVAL");
  int other = socket(AF_UNIX, SOCK_STREAM, 0);
  check(bind(other, (struct sockaddr*)&addr, len) == -1 && errno == EADDRINUSE,
        "same path again: EADDRINUSE");
  struct sockaddr_un missing;
  socklen_t mlen = path_addr(&missing, "/no/such/dir/s");
  check(bind(other, (struct sockaddr*)&missing, mlen) == -1 && errno == ENOENT,
        "bind in a missing directory: ENOENT");
  check(connect(other, (struct sockaddr*)&addr, len) == -1 && errno == ECONNREFUSED,
        "connect before listen: ECONNREFUSED");
  check(listen(l, 4) == 0, "listen");
  int on = -1;
  socklen_t on_len = sizeof on;
  check(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &on, &on_len) == 0 && on == 1,
        "SO_ACCEPTCONN on a listener");
  glen = sizeof got;
  check(getsockname(l, (struct sockaddr*)&got, &glen) == 0 && glen == len &&
            got.sun_family == AF_UNIX && strcmp(got.sun_path, kPath) == 0,
        "getsockname: the bound path");

  // Non-blocking accept with nothing pending; readiness.
  fcntl(l, F_SETFL, O_NONBLOCK);
  check(accept(l, NULL, NULL) == -1 && errno == EAGAIN, "accept, nothing pending: EAGAIN");
  struct pollfd pf = {l, POLLIN, 0};
  check(poll(&pf, 1, 0) == 0, "listener not readable");
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  check(connect(c, (struct sockaddr*)&addr, len) == 0, "connect");
  check(connect(c, (struct sockaddr*)&addr, len) == -1 && errno == EISCONN, "connect again: EISCONN");
  check(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "listener readable with one pending");
  glen = sizeof got;
  int a = accept4(l, (struct sockaddr*)&got, &glen, SOCK_CLOEXEC);
  check(a >= 0 && glen == sizeof(sa_family_t) && got.sun_family == AF_UNIX,
        "accept4: an unnamed peer");
  check(fcntl(a, F_GETFD) == FD_CLOEXEC && !(fcntl(a, F_GETFL) & O_NONBLOCK),
        "accept4 flags: cloexec, blocking");
  check(poll(&pf, 1, 0) == 0, "listener drained");
  char buf[64];
  check(write(c, "ping", 4) == 4 && read(a, buf, sizeof buf) == 4 && memcmp(buf, "ping", 4) == 0,
        "client -> accepted");
  check(write(a, "pong!", 5) == 5 && read(c, buf, sizeof buf) == 5 && memcmp(buf, "pong!", 5) == 0,
        "accepted -> client");
  glen = sizeof got;
  check(getpeername(c, (struct sockaddr*)&got, &glen) == 0 && glen == len &&
            strcmp(got.sun_path, kPath) == 0,
        "client's peer: the listener's path");
  glen = sizeof got;
  check(getsockname(a, (struct sockaddr*)&got, &glen) == 0 && glen == len &&
            strcmp(got.sun_path, kPath) == 0,
        "accepted socket's name: the listener's path");
  glen = sizeof got;
  check(getpeername(a, (struct sockaddr*)&got, &glen) == 0 && glen == sizeof(sa_family_t),
        "accepted socket's peer: unnamed");
  close(a);
  check(read(c, buf, sizeof buf) == 0, "accepted end closed: end of file");
  close(c);
  check(accept(other, NULL, NULL) == -1 && errno == EINVAL, "accept on a non-listener: EINVAL");

  // A blocking accept in another thread, woken by a connect.
  fcntl(l, F_SETFL, 0);
  g_listener = l;
  pthread_t t;
  check(pthread_create(&t, NULL, echo_server, NULL) == 0, "server thread");
  struct timespec pause = {0, 20 * 1000 * 1000};
  nanosleep(&pause, NULL); // let it block in accept
  c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check(connect(c, (struct sockaddr*)&addr, len) == 0, "connect to a waiting server");
  check(write(c, "hello", 5) == 5, "send to the server");
  ssize_t n = read(c, buf, sizeof buf);
  check(n == 5 && memcmp(buf, "HELLO", 5) == 0, "echo from the server thread");
  void* result = (void*)-1;
  check(pthread_join(t, &result) == 0 && result == NULL, "server thread done");
  close(c);

  // Backlog: listen(0) takes one pending connection; the next connect would wait.
  int l0 = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr0;
  socklen_t len0 = abstract_addr(&addr0, "nanos-backlog");
  check(bind(l0, (struct sockaddr*)&addr0, len0) == 0 && listen(l0, 0) == 0,
        "abstract listener, backlog 0");
  int c1 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  check(connect(c1, (struct sockaddr*)&addr0, len0) == 0, "first pending connection");
  check(connect(c2, (struct sockaddr*)&addr0, len0) == -1 && errno == EAGAIN,
        "backlog full: EAGAIN");
  // The listener closes with c1 still pending: c1's connection is reset.
  close(l0);
  struct pollfd cp = {c1, POLLIN, 0};
  check(poll(&cp, 1, 0) == 1 && (cp.revents & (POLLIN | POLLHUP)), "reset connection: readable");
  check(read(c1, buf, sizeof buf) == -1 && errno == ECONNRESET, "pending when the listener closed: ECONNRESET");
  check(read(c1, buf, sizeof buf) == 0, "then end of file");
  check(connect(c2, (struct sockaddr*)&addr0, len0) == -1 && errno == ECONNREFUSED,
        "abstract name gone with its listener: ECONNREFUSED");
  close(c1);
  close(c2);

  // A blocking connect to a full listener waits until accept makes room.
  int lw = socket(AF_UNIX, SOCK_STREAM, 0);
  socklen_t lwlen = abstract_addr(&addr0, "nanos-wait");
  check(bind(lw, (struct sockaddr*)&addr0, lwlen) == 0 && listen(lw, 0) == 0, "listener, backlog 0");
  c1 = socket(AF_UNIX, SOCK_STREAM, 0);
  c2 = socket(AF_UNIX, SOCK_STREAM, 0);
  check(connect(c1, (struct sockaddr*)&addr0, lwlen) == 0, "fills the queue");
  g_listener = lw;
  check(pthread_create(&t, NULL, late_accept, NULL) == 0, "accepting thread");
  check(connect(c2, (struct sockaddr*)&addr0, lwlen) == 0, "blocked connect completes after accept");
  check(pthread_join(t, &result) == 0 && result == NULL, "accepting thread done");
  close(c1);
  close(c2);
  close(lw);

  // Closing a listener that another thread is blocked in accept on: as on Linux, the
  // socket lives until that accept returns, so a connect still reaches it.
  int lc = socket(AF_UNIX, SOCK_STREAM, 0);
  socklen_t lclen = abstract_addr(&addr0, "nanos-closing");
  check(bind(lc, (struct sockaddr*)&addr0, lclen) == 0 && listen(lc, 4) == 0, "listener to close");
  g_listener = lc;
  check(pthread_create(&t, NULL, blocked_accept, NULL) == 0, "thread blocked in accept");
  nanosleep(&pause, NULL);
  close(lc);
  c1 = socket(AF_UNIX, SOCK_STREAM, 0);
  check(connect(c1, (struct sockaddr*)&addr0, lclen) == 0, "connect to a closed fd's listener still in accept");
  check(pthread_join(t, &result) == 0 && result == NULL, "its accept returned the connection");
  close(c1);

  // Seqpacket: boundaries across an accepted connection; type mismatch.
  int sl = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  struct sockaddr_un sa;
  socklen_t slen = abstract_addr(&sa, "nanos-seqpacket");
  check(bind(sl, (struct sockaddr*)&sa, slen) == 0 && listen(sl, 8) == 0, "seqpacket listener");
  glen = sizeof got;
  check(getsockname(sl, (struct sockaddr*)&got, &glen) == 0 && glen == slen && got.sun_path[0] == 0 &&
            memcmp(got.sun_path + 1, "nanos-seqpacket", 15) == 0,
        "getsockname: the abstract name");
  // An abstract name belongs to one socket type; a path names whatever is bound there.
  int wrong = socket(AF_UNIX, SOCK_STREAM, 0);
  check(connect(wrong, (struct sockaddr*)&sa, slen) == -1 && errno == ECONNREFUSED,
        "stream to a seqpacket abstract name: ECONNREFUSED");
  int wrong2 = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  check(connect(wrong2, (struct sockaddr*)&addr, len) == -1 && errno == EPROTOTYPE,
        "seqpacket to a stream path: EPROTOTYPE");
  close(wrong2);
  int sc = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  check(connect(sc, (struct sockaddr*)&sa, slen) == 0, "seqpacket connect");
  int sa_fd = accept(sl, NULL, NULL);
  check(sa_fd >= 0, "seqpacket accept");
  check(send(sc, "abc", 3, 0) == 3 && send(sc, "defgh", 5, 0) == 5, "two packets");
  check(recv(sa_fd, buf, sizeof buf, 0) == 3 && recv(sa_fd, buf + 3, sizeof buf, 0) == 5 &&
            memcmp(buf, "abcdefgh", 8) == 0,
        "boundaries kept");
  check(listen(sc, 1) == -1 && errno == EINVAL, "listen on a connected socket: EINVAL");
  int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
  check(listen(dg, 1) == -1 && errno == EOPNOTSUPP, "listen on a datagram socket: EOPNOTSUPP");
  check(connect(dg, (struct sockaddr*)&addr, len) == -1 && errno == EPROTOTYPE,
        "datagram connect to a stream path: EPROTOTYPE");
  // Datagram names: sendto a path or an abstract name, the sender's name at recvfrom,
  // connect as the default destination.
  static const char kDgramPath[] = "/tmp/nanos-sockets-dgram.sock";
  unlink(kDgramPath);
  int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0),
      d3 = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  struct sockaddr_un da, db;
  socklen_t dalen = path_addr(&da, kDgramPath), dblen = abstract_addr(&db, "nanos-dgram");
  check(bind(d1, (struct sockaddr*)&da, dalen) == 0, "bind a datagram socket to a path");
  check(sendto(d2, "one", 3, 0, (struct sockaddr*)&da, dalen) == 3, "sendto the path");
  glen = sizeof got;
  check(recvfrom(d1, buf, sizeof buf, 0, (struct sockaddr*)&got, &glen) == 3 &&
            memcmp(buf, "one", 3) == 0 && glen == 0,
        "recvfrom: an unnamed sender has no address");
  check(bind(d2, (struct sockaddr*)&db, dblen) == 0, "bind the sender to an abstract name");
  check(sendto(d2, "two", 3, 0, (struct sockaddr*)&da, dalen) == 3, "sendto from a named socket");
  glen = sizeof got;
  check(recvfrom(d1, buf, sizeof buf, 0, (struct sockaddr*)&got, &glen) == 3 && glen == dblen &&
            memcmp(&got, &db, dblen) == 0,
        "recvfrom: the sender's abstract name");
  check(connect(d3, (struct sockaddr*)&db, dblen) == 0, "connect a datagram socket to a name");
  check(send(d3, "three", 5, 0) == 5, "send to the connected name");
  struct msghdr mh;
  struct iovec iv = {buf, sizeof buf};
  memset(&mh, 0, sizeof mh);
  mh.msg_name = &got;
  mh.msg_namelen = sizeof got;
  mh.msg_iov = &iv;
  mh.msg_iovlen = 1;
  check(recvmsg(d2, &mh, 0) == 5 && memcmp(buf, "three", 5) == 0 && mh.msg_namelen == 0,
        "recvmsg at the abstract name");
  glen = sizeof got;
  check(getpeername(d3, (struct sockaddr*)&got, &glen) == 0 && glen == dblen &&
            memcmp(&got, &db, dblen) == 0,
        "getpeername: the connected datagram name");
  struct sockaddr_un nowhere;
  socklen_t nlen = abstract_addr(&nowhere, "nanos-nowhere");
  check(sendto(d2, "x", 1, 0, (struct sockaddr*)&nowhere, nlen) == -1 && errno == ECONNREFUSED,
        "sendto an unbound abstract name: ECONNREFUSED");
  check(sendto(d2, "x", 1, 0, (struct sockaddr*)&addr, len) == -1 && errno == EPROTOTYPE,
        "sendto a stream socket's path: EPROTOTYPE");
  static char chunk[4000];
  int sent = 0;
  while (sent < 1000 &&
         sendto(d3, chunk, sizeof chunk, 0, (struct sockaddr*)&da, dalen) == (ssize_t)sizeof chunk)
    ++sent;
  check(sent < 1000 && errno == EAGAIN, "a full receiver: EAGAIN (non-blocking)");
  close(d2); // the abstract name goes with it
  check(send(d3, "four", 4, 0) == -1 && errno == ECONNREFUSED, "the connected name is gone: ECONNREFUSED");
  close(d1);
  close(d3);
  unlink(kDgramPath);

  close(sa_fd);
  close(sc);
  close(sl);
  close(wrong);
  close(dg);
  close(other);
  close(l);
  unlink(kPath);

  printf("%s: %d of %d checks passed\n", failures ? "FAILED" : "all passed", checks - failures,
         checks);
  return failures ? 1 : 0;
}
