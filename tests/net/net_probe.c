// The guest side of the client and bad-input network tests (tests/net/guest_client.sh,
// tests/net/bad_input.sh). Runs its arguments as steps, in order, and prints one line per
// step that the host script checks against what it computed itself:
//   http:HOST:PORT:PATH  GET http://HOST:PORT/PATH (HTTP/1.0): prints the status, the body's
//                        length and SHA-256. HOST is an IPv4 address or a name, resolved
//                        with getaddrinfo (so through /etc/resolv.conf's nameserver).
//   udp:HOST:PORT        sends datagrams of 1 to 1400 bytes to a UDP echo server from an
//                        unconnected socket and checks each comes back intact (a lost one is
//                        sent again, up to 5 times).
//   resolve:NAME         prints NAME's IPv4 address from getaddrinfo.
//   serve:PORT           an HTTP server until killed: GET /meminfo answers /proc/meminfo,
//                        any other GET a short text; one connection at a time, closed after
//                        each answer. Its listen backlog is 4096, as busy servers ask.
// The first failing step prints "FAIL ..." and the program exits 1; after the last step it
// prints "net probe done" and exits 0.
#include "sha256.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int fail(const char* step, const char* what) {
  printf("FAIL %s: %s (%s)\n", step, what, errno ? strerror(errno) : "-");
  return -1;
}

// "a:b:c" -> up to `max` fields, in place (the step's text is a copy of argv's).
static int split(char* text, char** fields, int max) {
  int n = 0;
  while (n < max) {
    fields[n++] = text;
    char* colon = strchr(text, ':');
    if (!colon || n == max)
      break;
    *colon = 0;
    text = colon + 1;
  }
  return n;
}

static int resolve(const char* host, struct sockaddr_in* out) {
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
  struct addrinfo* found = NULL;
  int rc = getaddrinfo(host, NULL, &hints, &found);
  if (rc != 0) {
    printf("getaddrinfo(%s): %s\n", host, gai_strerror(rc));
    return -1;
  }
  *out = *(struct sockaddr_in*)found->ai_addr;
  freeaddrinfo(found);
  return 0;
}

static void set_timeout(int fd, int seconds) {
  struct timeval tv = {.tv_sec = seconds};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static void print_digest(const uint8_t digest[32]) {
  for (int i = 0; i < 32; ++i)
    printf("%02x", digest[i]);
}

// The response head ends at the first blank line; everything after it is the body, which
// HTTP/1.0 without keep-alive ends by closing the connection.
static int http_get(const char* step, char* spec) {
  char* f[3];
  if (split(spec, f, 3) != 3)
    return fail(step, "want http:HOST:PORT:PATH");
  struct sockaddr_in addr;
  if (resolve(f[0], &addr) < 0)
    return fail(step, "cannot resolve the host");
  addr.sin_port = htons((uint16_t)atoi(f[1]));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  set_timeout(fd, 60);
  if (fd < 0 || connect(fd, (struct sockaddr*)&addr, sizeof addr) < 0)
    return fail(step, "connect");
  char request[512];
  int len = snprintf(request, sizeof request, "GET /%s HTTP/1.0\r\nHost: %s\r\n\r\n", f[2], f[0]);
  if (write_all(fd, request, (size_t)len) < 0)
    return fail(step, "send");
  static char buf[65536];
  char head[4096];
  size_t head_len = 0, body_len = 0;
  int in_body = 0;
  struct sha256 digest;
  sha256_init(&digest);
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail(step, "recv");
    if (n == 0)
      break;
    size_t off = 0;
    while (!in_body && off < (size_t)n) {
      if (head_len == sizeof head - 1)
        return fail(step, "response head too long");
      head[head_len++] = buf[off++];
      head[head_len] = 0;
      in_body = head_len >= 4 && memcmp(head + head_len - 4, "\r\n\r\n", 4) == 0;
    }
    sha256_update(&digest, buf + off, (size_t)n - off);
    body_len += (size_t)n - off;
  }
  close(fd);
  int status = 0;
  if (!in_body || sscanf(head, "HTTP/%*d.%*d %d", &status) != 1)
    return fail(step, "no HTTP response head");
  uint8_t sum[32];
  sha256_final(&digest, sum);
  printf("http %s:%s/%s: status %d, %zu bytes, sha256 ", f[0], f[1], f[2], status, body_len);
  print_digest(sum);
  printf("\n");
  return 0;
}

static int udp_echo(const char* step, char* spec) {
  char* f[2];
  if (split(spec, f, 2) != 2)
    return fail(step, "want udp:HOST:PORT");
  struct sockaddr_in to;
  if (resolve(f[0], &to) < 0)
    return fail(step, "cannot resolve the host");
  to.sin_port = htons((uint16_t)atoi(f[1]));
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0)
    return fail(step, "socket");
  set_timeout(fd, 2);
  static const size_t sizes[] = {1, 2, 100, 512, 1000, 1400};
  static unsigned char out[1400], in[2048];
  int echoed = 0, resent = 0;
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
    size_t size = sizes[s];
    for (size_t i = 0; i < size; ++i)
      out[i] = (unsigned char)(size * 7 + i);
    int got_it = 0;
    for (int attempt = 0; attempt < 5 && !got_it; ++attempt) {
      resent += attempt > 0;
      if (sendto(fd, out, size, 0, (struct sockaddr*)&to, sizeof to) != (ssize_t)size)
        return fail(step, "sendto");
      struct sockaddr_in from;
      socklen_t from_len = sizeof from;
      ssize_t n = recvfrom(fd, in, sizeof in, 0, (struct sockaddr*)&from, &from_len);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        continue; // lost on the way: send it again
      if (n < 0)
        return fail(step, "recvfrom");
      if (from.sin_addr.s_addr != to.sin_addr.s_addr || from.sin_port != to.sin_port)
        return fail(step, "a datagram from another address");
      if ((size_t)n != size || memcmp(in, out, size) != 0)
        return fail(step, "the echo differs from the datagram sent");
      got_it = 1;
    }
    if (!got_it)
      return fail(step, "no echo after 5 tries");
    ++echoed;
  }
  close(fd);
  printf("udp %s:%s: %d datagrams echoed intact (%d sent again)\n", f[0], f[1], echoed, resent);
  return 0;
}

static int resolve_step(const char* step, const char* name) {
  struct sockaddr_in addr;
  if (resolve(name, &addr) < 0)
    return fail(step, "cannot resolve");
  printf("resolve %s: %s\n", name, inet_ntoa(addr.sin_addr));
  return 0;
}

static void answer(int fd) {
  static char request[4096], body[4096];
  size_t len = 0;
  // Up to the end of the request head; a client that stalls is dropped by the timeout.
  while (len < sizeof request - 1) {
    ssize_t n = read(fd, request + len, sizeof request - 1 - len);
    if (n <= 0)
      return;
    len += (size_t)n;
    request[len] = 0;
    if (strstr(request, "\r\n\r\n"))
      break;
  }
  size_t body_len = 0;
  if (strncmp(request, "GET /meminfo ", 13) == 0) {
    FILE* f = fopen("/proc/meminfo", "r");
    if (f) {
      body_len = fread(body, 1, sizeof body, f);
      fclose(f);
    }
  } else {
    body_len = (size_t)snprintf(body, sizeof body, "net probe server\n");
  }
  char head[128];
  int head_len =
      snprintf(head, sizeof head,
               "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", body_len);
  if (write_all(fd, head, (size_t)head_len) == 0)
    write_all(fd, body, body_len);
}

static int serve(const char* step, const char* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
  if (fd < 0 || bind(fd, (struct sockaddr*)&addr, sizeof addr) < 0 || listen(fd, 4096) < 0)
    return fail(step, "cannot listen");
  printf("serving on port %s\n", port);
  fflush(stdout);
  for (;;) {
    int c = accept(fd, NULL, NULL);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      return fail(step, "accept");
    }
    set_timeout(c, 5);
    answer(c);
    close(c);
  }
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; ++i) {
    char step[512];
    snprintf(step, sizeof step, "%s", argv[i]);
    char* colon = strchr(step, ':');
    if (!colon) {
      printf("FAIL %s: not a step\n", argv[i]);
      return 1;
    }
    *colon = 0;
    char* spec = colon + 1;
    errno = 0;
    int rc;
    if (strcmp(step, "http") == 0)
      rc = http_get(argv[i], spec);
    else if (strcmp(step, "udp") == 0)
      rc = udp_echo(argv[i], spec);
    else if (strcmp(step, "resolve") == 0)
      rc = resolve_step(argv[i], spec);
    else if (strcmp(step, "serve") == 0)
      rc = serve(argv[i], spec);
    else
      rc = fail(argv[i], "unknown step");
    if (rc < 0)
      return 1;
  }
  printf("net probe done\n");
  return 0;
}
