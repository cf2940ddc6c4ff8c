// A small HTTP/1.1 server for the network tests and benchmarks (tests/net, tests/bench):
// one thread, epoll, non-blocking sockets, keep-alive and pipelining. Routes:
//   GET /           a short text body
//   GET /bytes/N    N bytes of the test pattern (byte i is i % 251), streamed
//   GET /sha256/N   the SHA-256 of those N bytes, in hex, so a download can be checked
//   POST /sha256    the SHA-256 of the request body (Content-Length), in hex: uploads
//   GET /exit       answers, then the server exits 0 (the guest powers off)
// The same port also echoes UDP datagrams. Usage: http-server [PORT] (default 8080).
// Built static, so the very same binary runs on our kernel, upstream Nanos and Linux.
#define _GNU_SOURCE // accept4
#include "sha256.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kPeriod = 251, kPatternBlocks = 256, kInSize = 8192, kOutSize = 1024 };

// The pattern from any phase: pattern[phase .. phase + kPeriod * kPatternBlocks) is the stream
// from an offset congruent to phase. A period that is prime (and not a power of two) makes a
// lost, repeated or shifted segment show in the digest.
static uint8_t pattern[kPeriod * (kPatternBlocks + 1)];

struct conn {
  int fd;
  char in[kInSize];
  size_t in_len;
  char out[kOutSize]; // the response head (and small bodies)
  size_t out_len, out_off;
  uint64_t stream_left, stream_pos; // /bytes/N still to send, and its offset
  uint64_t body_left;               // POST /sha256: request body bytes still to read
  struct sha256 body_digest;
  int close_after; // close once the response is out
  int exit_after;  // /exit: exit once the response is out
  int want_out;    // EPOLLOUT registered
};

static int epfd;

static void fail(const char* what) {
  perror(what);
  exit(1);
}

static void watch(struct conn* c, int want_out) {
  if (c->want_out == want_out)
    return;
  struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
    fail("epoll_ctl");
  c->want_out = want_out;
}

static void close_conn(struct conn* c) {
  close(c->fd); // also leaves the epoll set
  free(c);
}

// Answers POST /sha256 with the digest of the body read so far (all of it).
static void respond(struct conn* c, int status, const char* reason, const char* type,
                    const char* body, uint64_t length);
static void finish_upload(struct conn* c) {
  uint8_t d[32];
  char hex[66];
  sha256_final(&c->body_digest, d);
  for (int i = 0; i < 32; i++)
    sprintf(hex + 2 * i, "%02x", d[i]);
  strcat(hex, "\n");
  respond(c, 200, "OK", "text/plain", hex, 65);
}

static void pattern_digest(uint64_t n, char hex[65]) {
  struct sha256 s;
  sha256_init(&s);
  for (uint64_t done = 0; done < n;) {
    uint64_t chunk = kPeriod * kPatternBlocks;
    if (chunk > n - done)
      chunk = n - done;
    sha256_update(&s, pattern, chunk); // whole periods: every chunk starts at phase 0
    done += chunk;
  }
  uint8_t d[32];
  sha256_final(&s, d);
  for (int i = 0; i < 32; i++)
    sprintf(hex + 2 * i, "%02x", d[i]);
}

static int parse_count(const char* text, uint64_t* out) {
  if (!*text || strlen(text) > 15)
    return 0;
  uint64_t v = 0;
  for (const char* p = text; *p; p++) {
    if (*p < '0' || *p > '9')
      return 0;
    v = v * 10 + (uint64_t)(*p - '0');
  }
  *out = v;
  return 1;
}

static void respond(struct conn* c, int status, const char* reason, const char* type,
                    const char* body, uint64_t length) {
  c->out_len = (size_t)snprintf(c->out, sizeof c->out,
                                "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %llu\r\n"
                                "%s\r\n%s",
                                status, reason, type, (unsigned long long)length,
                                c->close_after ? "Connection: close\r\n" : "", body ? body : "");
  c->out_off = 0;
}

// Handles the request head in c->in[0 .. head_len); returns 0 for a malformed one.
static int handle_request(struct conn* c, size_t head_len) {
  char line[512];
  size_t eol = (size_t)(strstr(c->in, "\r\n") - c->in);
  if (eol >= sizeof line)
    return 0;
  memcpy(line, c->in, eol);
  line[eol] = 0;
  char *method = line, *path = strchr(line, ' ');
  if (!path)
    return 0;
  *path++ = 0;
  char* version = strchr(path, ' ');
  if (!version)
    return 0;
  *version++ = 0;
  // HTTP/1.1 keeps the connection unless told otherwise; HTTP/1.0 closes unless asked.
  c->close_after = strcmp(version, "HTTP/1.1") != 0;
  uint64_t content_length = 0;
  for (char* h = c->in + eol + 2; h < c->in + head_len - 2;) {
    char* end = strstr(h, "\r\n");
    if (!end)
      return 0; // a NUL byte inside the head
    if (strncasecmp(h, "Connection:", 11) == 0) {
      char* v = h + 11;
      while (*v == ' ')
        v++;
      if (strncasecmp(v, "close", 5) == 0)
        c->close_after = 1;
      else if (strncasecmp(v, "keep-alive", 10) == 0)
        c->close_after = 0;
    } else if (strncasecmp(h, "Content-Length:", 15) == 0) {
      const char* v = h + 15;
      while (*v == ' ')
        v++;
      int digits = 0;
      for (content_length = 0; *v >= '0' && *v <= '9' && digits < 15; v++, digits++)
        content_length = content_length * 10 + (uint64_t)(*v - '0');
      if (!digits || v != end)
        return 0;
    }
    h = end + 2;
  }
  uint64_t n;
  memmove(c->in, c->in + head_len, c->in_len - head_len);
  c->in_len -= head_len;
  c->in[c->in_len] = 0;
  if (strcmp(method, "POST") == 0 && strcmp(path, "/sha256") == 0) {
    // The body is read (and hashed) by serve(); the answer is made when it is all in.
    c->body_left = content_length;
    sha256_init(&c->body_digest);
    if (!content_length)
      finish_upload(c);
    return 1;
  }
  if (content_length)
    return 0; // no other route takes a body
  if (strcmp(method, "GET") != 0) {
    c->close_after = 1;
    respond(c, 405, "Method Not Allowed", "text/plain", "only GET\n", 9);
  } else if (strcmp(path, "/") == 0) {
    static const char kHello[] = "Hello from a unikernel HTTP server\n";
    respond(c, 200, "OK", "text/plain", kHello, sizeof kHello - 1);
  } else if (strncmp(path, "/bytes/", 7) == 0 && parse_count(path + 7, &n)) {
    respond(c, 200, "OK", "application/octet-stream", NULL, n);
    c->stream_left = n;
    c->stream_pos = 0;
  } else if (strncmp(path, "/sha256/", 8) == 0 && parse_count(path + 8, &n)) {
    char hex[66];
    pattern_digest(n, hex);
    strcat(hex, "\n");
    respond(c, 200, "OK", "text/plain", hex, 65);
  } else if (strcmp(path, "/exit") == 0) {
    c->close_after = c->exit_after = 1;
    respond(c, 200, "OK", "text/plain", "bye\n", 4);
  } else {
    respond(c, 404, "Not Found", "text/plain", "not found\n", 10);
  }
  return 1;
}

// Sends what is pending; returns 1 when the response is complete, 0 when the socket is
// full, -1 when the connection is gone.
static int flush(struct conn* c) {
  while (c->out_off < c->out_len) {
    ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (n < 0)
      return errno == EAGAIN || errno == EINTR ? 0 : -1;
    c->out_off += (size_t)n;
  }
  while (c->stream_left) {
    size_t phase = (size_t)(c->stream_pos % kPeriod);
    size_t chunk = kPeriod * kPatternBlocks;
    if (chunk > c->stream_left)
      chunk = (size_t)c->stream_left;
    ssize_t n = send(c->fd, pattern + phase, chunk, MSG_NOSIGNAL);
    if (n < 0)
      return errno == EAGAIN || errno == EINTR ? 0 : -1;
    c->stream_left -= (uint64_t)n;
    c->stream_pos += (uint64_t)n;
  }
  return 1;
}

// Reads, then answers every complete request in order (pipelining), one at a time.
static void serve(struct conn* c, int readable) {
  if (readable && c->in_len < sizeof c->in - 1) {
    // (a body being read never waits here: serve() consumes c->in before reading again)
    ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - 1 - c->in_len, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      close_conn(c);
      return;
    }
    if (n > 0)
      c->in_len += (size_t)n;
    c->in[c->in_len] = 0;
  }
  for (;;) {
    if (c->body_left) {
      size_t take = c->in_len < c->body_left ? c->in_len : (size_t)c->body_left;
      sha256_update(&c->body_digest, c->in, take);
      memmove(c->in, c->in + take, c->in_len - take);
      c->in_len -= take;
      c->in[c->in_len] = 0;
      c->body_left -= take;
      if (c->body_left) {
        watch(c, 0);
        return;
      }
      finish_upload(c);
    }
    int done = flush(c);
    if (done < 0) {
      close_conn(c);
      return;
    }
    if (!done) {
      watch(c, 1);
      return;
    }
    if (c->exit_after) {
      printf("http-server: /exit requested\n");
      exit(0);
    }
    if (c->close_after) {
      shutdown(c->fd, SHUT_WR);
      close_conn(c);
      return;
    }
    c->out_len = c->out_off = 0;
    char* end = strstr(c->in, "\r\n\r\n");
    if (!end) {
      if (c->in_len >= sizeof c->in - 1) { // a head this long is not one of ours
        close_conn(c);
        return;
      }
      watch(c, 0);
      return;
    }
    if (!handle_request(c, (size_t)(end + 4 - c->in))) {
      c->close_after = 1;
      respond(c, 400, "Bad Request", "text/plain", "bad request\n", 12);
      c->in_len = 0;
    }
    c->in[c->in_len] = 0;
  }
}

static int open_socket(int type, int port) {
  int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    fail("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (bind(fd, (struct sockaddr*)&a, sizeof a) < 0)
    fail("bind");
  return fd;
}

static void echo_datagrams(int fd) {
  char buf[65536];
  for (;;) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr*)&from, &len);
    if (n < 0)
      return;
    sendto(fd, buf, (size_t)n, 0, (struct sockaddr*)&from, len);
  }
}

int main(int argc, char** argv) {
  int port = argc > 1 ? atoi(argv[1]) : 8080;
  if (port <= 0 || port > 65535) {
    fprintf(stderr, "usage: http-server [PORT]\n");
    return 2;
  }
  for (size_t i = 0; i < sizeof pattern; i++)
    pattern[i] = (uint8_t)(i % kPeriod);
  int listener = open_socket(SOCK_STREAM, port);
  if (listen(listener, 4096) < 0)
    fail("listen");
  int udp = open_socket(SOCK_DGRAM, port);
  if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
    fail("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listener};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev) < 0)
    fail("epoll_ctl");
  ev.data.ptr = &udp;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, udp, &ev) < 0)
    fail("epoll_ctl");
  printf("http-server: listening on port %d (HTTP over TCP, echo over UDP)\n", port);
  fflush(stdout);
  struct epoll_event events[64];
  for (;;) {
    int n = epoll_wait(epfd, events, 64, -1);
    if (n < 0 && errno != EINTR)
      fail("epoll_wait");
    for (int i = 0; i < n; i++) {
      if (events[i].data.ptr == &udp) {
        echo_datagrams(udp);
      } else if (events[i].data.ptr == &listener) {
        int fd;
        while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          int one = 1;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct conn* c = calloc(1, sizeof *c);
          if (!c) {
            close(fd);
            continue;
          }
          c->fd = fd;
          struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
          if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &cev) < 0) {
            close(fd);
            free(c);
          }
        }
      } else {
        struct conn* c = events[i].data.ptr;
        serve(c, (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0);
      }
    }
  }
}
