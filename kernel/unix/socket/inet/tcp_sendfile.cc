// sendfile into a TCP socket (Socket::send_kernel): the file's bytes are already in kernel
// memory, so they go to the engine's send buffer without a user copy. Blocking, O_NONBLOCK,
// SO_SNDTIMEO, EPIPE with SIGPIPE and a failed connect's error behave as send() with no
// flags (tcp_socket.cc).
#include "unix/socket/inet/tcp_socket.h"

namespace unix::inet {

ErrorOr<size_t> TcpSocket::send_kernel(File& file, const uint8_t* bytes, size_t len) {
  return send_loop(file, 0, len, "sendfile on a full socket",
                   [&](size_t done) { return connection->send(bytes + done, len - done); });
}

} // namespace unix::inet
