// A small HTTP/1.0 server for the net.http.* end-to-end tests (tests/net/http_curl_test.sh):
// the host reaches it through QEMU user networking's port forwarding (nanos-run -p).
//   GET /            -> "hello from the unikernel\n"
//   GET /bytes/N     -> N bytes of the pattern below (the host checks their digest)
//   GET /quit        -> "bye\n", then the program exits 0
// One connection at a time; each request is answered and the connection closed.
#define _GNU_SOURCE // memmem
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

// Byte i of a /bytes/N answer: a 64-byte line repeated (tests/net/http_curl_test.sh builds
// the same stream on the host).
static const char kLine[65] = "unikernel network test data 0123456789 abcdefghijklmnopqrstuvw.\n";

static int send_all(int fd, const char* p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int answer(int fd, const char* body, size_t len) {
  char head[128];
  int h = snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n", len);
  return send_all(fd, head, (size_t)h) || send_all(fd, body, len);
}

static int send_pattern(int fd, unsigned long long n) {
  static char chunk[64 * 1024];
  for (size_t i = 0; i < sizeof chunk; ++i)
    chunk[i] = kLine[i % 64];
  char head[128];
  int h = snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Length: %llu\r\n\r\n", n);
  if (send_all(fd, head, (size_t)h))
    return -1;
  while (n) {
    size_t part = n < sizeof chunk ? (size_t)n : sizeof chunk; // chunk is a multiple of 64
    if (send_all(fd, chunk, part))
      return -1;
    n -= part;
  }
  return 0;
}

int main(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080)};
  if (s < 0 || bind(s, (struct sockaddr*)&a, sizeof a) || listen(s, 16)) {
    perror("server setup");
    return 1;
  }
  printf("http server listening on 8080\n");
  fflush(stdout);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) {
      perror("accept");
      return 1;
    }
    char req[1024];
    size_t got = 0;
    while (got < sizeof req - 1 && !memmem(req, got, "\r\n\r\n", 4)) {
      ssize_t r = read(c, req + got, sizeof req - 1 - got);
      if (r <= 0)
        break;
      got += (size_t)r;
    }
    req[got] = 0;
    int quit = 0;
    if (!strncmp(req, "GET /bytes/", 11))
      send_pattern(c, strtoull(req + 11, NULL, 10));
    else if (!strncmp(req, "GET /quit ", 10)) {
      // The machine powers off when we exit: wait until the client has the answer (it
      // closes its side after reading it), else the last segments may never leave.
      answer(c, "bye\n", 4);
      shutdown(c, SHUT_WR);
      while (read(c, req, sizeof req) > 0) {
      }
      quit = 1;
    }
    else
      answer(c, "hello from the unikernel\n", 25);
    close(c);
    if (quit)
      break;
  }
  printf("http server done\n");
  return 0;
}
