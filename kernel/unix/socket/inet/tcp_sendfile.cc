// sendfile into a TCP socket (Socket::send_kernel): the file's bytes are already in kernel
// memory, so they go to the engine's send buffer without a user copy. Blocking, O_NONBLOCK,
// SO_SNDTIMEO, EPIPE with SIGPIPE and a failed connect's error behave as send() with no
// flags (tcp_socket.cc).
#include "lib/errno.h"
#include "net/host.h"
#include "unix/socket/inet/tcp_socket.h"

namespace unix::inet {

ErrorOr<size_t> TcpSocket::send_kernel(File& file, const uint8_t* bytes, size_t len) {
  size_t done = 0;
  for (;;) {
    settle_connect();
    if (role == Role::kFresh && error) {
      int e = error;
      error = 0;
      return Err(e);
    }
    if (role == Role::kFresh || role == Role::kListening)
      return broken_pipe(0);
    if (done == len && role == Role::kConnected)
      return done;
    if (role == Role::kConnected) {
      ErrorOr<size_t> n = connection->send(bytes + done, len - done);
      if (n.ok()) {
        done += *n;
        net::host::run_pending();
        continue;
      }
      if (n.error() == -EPIPE)
        return done ? ErrorOr<size_t>(done) : ErrorOr<size_t>(broken_pipe(0));
      if (n.error() != -EAGAIN)
        return partial_or(done, n.error());
    }
    if (would_block(file, 0))
      return partial_or(done, -EAGAIN);
    int r = wait(deadline(false), "sendfile on a full socket");
    if (r == -ETIMEDOUT)
      return partial_or(done, -EAGAIN);
    if (r < 0)
      return partial_or(done, r);
  }
}

} // namespace unix::inet
