// The guest of the xen.net test (net_check.sh runs it in the harness's dom0): over netfront,
// fetches http://SERVER:PORT/PATH (HTTP/1.0) from dom0, prints the body's length and
// SHA-256, then serves that body to one HTTP client on LISTEN-PORT and exits 0. dom0 compares
// the digests of the file it served, of what the guest says it got, and of what it fetched
// back. Usage: net_roundtrip SERVER PORT PATH LISTEN-PORT
#include "sha256.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char* what) {
  printf("xen net test: FAIL %s (%s)\n", what, errno ? strerror(errno) : "-");
  return 1;
}

static int write_all(int fd, const char* data, size_t len) {
  while (len) {
    ssize_t n = write(fd, data, len);
    if (n <= 0)
      return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

// The whole response (headers and body) into a growing buffer.
static char* fetch(const char* server, int port, const char* path, size_t* got) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (fd < 0 || inet_pton(AF_INET, server, &sa.sin_addr) != 1 ||
      connect(fd, (struct sockaddr*)&sa, sizeof sa) != 0)
    return NULL;
  char request[256];
  int len = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, server);
  if (write_all(fd, request, (size_t)len) != 0)
    return NULL;
  size_t cap = 1 << 16, used = 0;
  char* buf = malloc(cap);
  for (;;) {
    if (!buf)
      return NULL;
    if (used == cap)
      buf = realloc(buf, cap *= 2);
    if (!buf)
      return NULL;
    ssize_t n = read(fd, buf + used, cap - used);
    if (n < 0)
      return NULL;
    if (n == 0)
      break;
    used += (size_t)n;
  }
  close(fd);
  *got = used;
  return buf;
}

static void print_digest(const char* label, const char* data, size_t len) {
  struct sha256 s;
  uint8_t digest[32];
  sha256_init(&s);
  sha256_update(&s, data, len);
  sha256_final(&s, digest);
  printf("xen net test: %s %zu bytes, sha256 ", label, len);
  for (int i = 0; i < 32; ++i)
    printf("%02x", digest[i]);
  printf("\n");
}

static int serve_once(int port, const char* body, size_t len) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr*)&sa, sizeof sa) != 0 || listen(fd, 4) != 0)
    return fail("listen");
  printf("xen net test: serving on port %d\n", port);
  fflush(stdout);
  int c = accept(fd, NULL, NULL);
  if (c < 0)
    return fail("accept");
  // Read the request up to its empty line (its content does not matter).
  char request[1024];
  size_t used = 0;
  while (used < sizeof request - 1) {
    ssize_t n = read(c, request + used, sizeof request - 1 - used);
    if (n <= 0)
      break;
    used += (size_t)n;
    request[used] = 0;
    if (strstr(request, "\r\n\r\n"))
      break;
  }
  char header[128];
  int hl = snprintf(header, sizeof header,
                    "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", len);
  if (write_all(c, header, (size_t)hl) != 0 || write_all(c, body, len) != 0)
    return fail("send");
  close(c);
  close(fd);
  print_digest("served", body, len);
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    printf("usage: net_roundtrip SERVER PORT PATH LISTEN-PORT\n");
    return 2;
  }
  size_t got = 0;
  char* response = fetch(argv[1], atoi(argv[2]), argv[3], &got);
  if (!response)
    return fail("fetch");
  char* body = strstr(response, "\r\n\r\n");
  if (!body || strncmp(response, "HTTP/1.", 7) != 0 || strncmp(response + 9, "200", 3) != 0)
    return fail("not an HTTP 200 response");
  body += 4;
  print_digest("fetched", body, got - (size_t)(body - response));
  fflush(stdout);
  return serve_once(atoi(argv[4]), body, got - (size_t)(body - response));
}
