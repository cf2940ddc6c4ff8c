// AF_UNIX names in the file system: bind creates an S_IFSOCK node that stat sees and
// unlink removes; an existing path is EADDRINUSE; abstract names leave no node.
#include "abi_check.h"

#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static struct sockaddr_un addr_of(const char* path) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strncpy(a.sun_path, path, sizeof a.sun_path - 1);
  return a;
}

int main(void) {
  abi_begin("unix_paths");
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = addr_of("sock");
  abi_result("bind to a new path", bind(s, (struct sockaddr*)&a, sizeof a));
  struct stat st;
  abi_result("stat of the socket's path", stat("sock", &st));
  abi_value("it is S_IFSOCK", S_ISSOCK(st.st_mode));
  abi_result("lstat of the socket's path", lstat("sock", &st));
  abi_value("lstat says S_IFSOCK", S_ISSOCK(st.st_mode));
  ABI_ERRNO("open of a socket node", open("sock", O_RDONLY));
  int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
  ABI_ERRNO("bind a second socket to it", bind(s2, (struct sockaddr*)&a, sizeof a));
  ABI_ERRNO("bind the same socket again", bind(s, (struct sockaddr*)&a, sizeof a));
  close(open("plain", O_CREAT | O_WRONLY, 0644));
  struct sockaddr_un p = addr_of("plain");
  ABI_ERRNO("bind to an existing file", bind(s2, (struct sockaddr*)&p, sizeof p));
  struct sockaddr_un missing = addr_of("no-dir/sock");
  ABI_ERRNO("bind in a missing directory", bind(s2, (struct sockaddr*)&missing, sizeof missing));
  listen(s, 4);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  abi_result("connect to it", connect(c, (struct sockaddr*)&a, sizeof a));
  close(c);
  abi_result("unlink the socket's path", unlink("sock"));
  ABI_ERRNO("stat after unlink", stat("sock", &st));
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  ABI_ERRNO("connect after unlink", connect(c, (struct sockaddr*)&a, sizeof a));
  close(c);
  abi_result("bind a new socket to the freed path", bind(s2, (struct sockaddr*)&a, sizeof a));
  abi_result("stat sees the new node", stat("sock", &st));
  close(s2);
  abi_result("the node outlives its socket", stat("sock", &st));
  unlink("sock");
  close(s);
  // A datagram socket bound to a path: sendto by path reaches it.
  int d = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un da = addr_of("dgram");
  abi_result("bind a datagram socket", bind(d, (struct sockaddr*)&da, sizeof da));
  int ds = socket(AF_UNIX, SOCK_DGRAM, 0);
  abi_value("sendto by path", sendto(ds, "hi", 2, 0, (struct sockaddr*)&da, sizeof da));
  char buf[8] = {0};
  abi_value("recv", recv(d, buf, sizeof buf, 0));
  abi_result("rename the socket node", rename("dgram", "dgram2"));
  ABI_ERRNO("sendto the old path", sendto(ds, "hi", 2, 0, (struct sockaddr*)&da, sizeof da));
  unlink("dgram2");
  close(d);
  close(ds);
  // Abstract names (a leading NUL) leave nothing in the file system.
  int ab = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un an = {.sun_family = AF_UNIX};
  memcpy(an.sun_path, "\0abi-abstract", 13);
  abi_result("bind an abstract name",
             bind(ab, (struct sockaddr*)&an, offsetof(struct sockaddr_un, sun_path) + 13));
  ABI_ERRNO("no node for it", stat("abi-abstract", &st));
  close(ab);
  return abi_end();
}
