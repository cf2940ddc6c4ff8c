// SOCK_STREAM sockets of AF_INET and AF_INET6 over the kernel's TCP engine
// (net::tcp::Stack). Names and connections (bind, listen, connect, accept, the table of
// bound ports) are in tcp_socket_connect.cc; the data path, readiness, options and close in
// tcp_socket.cc.
#pragma once

#include "lib/errno.h"
#include "net/host.h"
#include "net/tcp_stack.h"
#include "unix/socket/inet/inet_socket.h"

namespace unix::inet {

struct ReusePortGroup;
struct PendingConnection;

class TcpSocket final : public InetSocket {
public:
  explicit TcpSocket(int domain) : InetSocket(domain, kSockStream) {}

  Status bind(UserPtr<const void> user_addr, uint64_t len) override;
  Status listen(int backlog) override;
  Status connect(File& file, UserPtr<const void> user_addr, uint64_t len) override;
  ErrorOr<Socket*> next_connection(File& listener) override;
  void take_connection(Socket* connection) override;
  SocketAddress local_address() const override;
  ErrorOr<SocketAddress> peer_address() const override;
  ErrorOr<size_t> send(File& file, const IoVector& io, int flags, UserPtr<const void> user_addr,
                       uint64_t addr_len) override;
  ErrorOr<size_t> send_kernel(File& file, const uint8_t* bytes, size_t len) override;
  ErrorOr<size_t> receive(File& file, const IoVector& io, int flags, int* msg_flags,
                          SocketAddress* from) override;
  Status shutdown(int how) override;
  Readiness readiness() override;
  ErrorOr<long> ioctl(unsigned long request, uint64_t arg) override;
  void close() override;

  enum class Role : uint8_t { kFresh, kListening, kConnecting, kConnected };

  // ---- state shared by the two files ----
  Role role = Role::kFresh;
  bool bound = false;
  InetAddress local;  // the bound (or connected) address
  InetAddress remote; // the peer, once connecting
  net::tcp::Listener* listener = nullptr;
  net::tcp::Connection* connection = nullptr;
  TcpSocket* accepted = nullptr; // accept's first step: handed out, not yet taken
  int error = 0;                 // a failed connect's error, reported once (SO_ERROR)
  bool read_shut = false;        // shutdown(SHUT_RD)
  TcpSocket* next_bound = nullptr;
  // SO_REUSEPORT listeners sharing a port share one engine listener (tcp_reuseport.cc);
  // `listener` is then null and connections handed to this member wait here.
  ReusePortGroup* reuse_group = nullptr;
  PendingConnection* pending_head = nullptr;
  PendingConnection* pending_tail = nullptr;

  // The next connection to accept (engine or group), or nullptr; whether there is one.
  net::tcp::Connection* next_engine_connection();
  bool has_engine_connection();
  // A listening SO_REUSEPORT socket on the same address and port, or nullptr.
  TcpSocket* reuse_port_partner() const;
  Status join_reuse_port_group(TcpSocket* partner);
  void leave_reuse_port_group();
  void distribute_connections();
  // The table of bound ports (tcp_socket_connect.cc).
  static TcpSocket* first_bound();

  // A connecting socket whose handshake ended: Connected, or Fresh with `error` set.
  void settle_connect();
  // The loop send() and sendfile share: connect errors, EPIPE/SIGPIPE, blocking or
  // O_NONBLOCK/MSG_DONTWAIT, SO_SNDTIMEO. `push(done)` hands the engine what it takes of
  // the bytes from offset `done` on and returns how many (-EAGAIN: the buffer is full).
  template <typename Push>
  ErrorOr<size_t> send_loop(File& file, int flags, size_t total, const char* what, Push push);
  // Hands the engine the options that live on a connection.
  void apply_connection_options();
  // Leaves the table of bound ports.
  void unbind();
  // True when only IPv6 reaches it: bound to an IPv6 address, or IPV6_V6ONLY.
  bool ipv6_only() const;
  // The engine's form of one of this socket's addresses (an IPv6-only wildcard is the
  // IPv6 "any").
  net::tcp::Endpoint engine_endpoint(const InetAddress& a) const;

protected:
  ErrorOr<int> transport_option(int level, int name) override;
  ErrorOr<size_t> transport_option_bytes(int level, int name, uint8_t* out) override;
  void options_changed(int level, int name) override;
  int protocol() const override { return kIpprotoTcp; }
};

template <typename Push>
ErrorOr<size_t> TcpSocket::send_loop(File& file, int flags, size_t total, const char* what,
                                     Push push) {
  size_t done = 0;
  for (;;) {
    settle_connect();
    if (role == Role::kFresh && error) {
      int e = error;
      error = 0;
      return Err(e);
    }
    if (role == Role::kFresh || role == Role::kListening)
      return broken_pipe(flags);
    if (done == total && role == Role::kConnected)
      return done;
    if (role == Role::kConnected) {
      ErrorOr<size_t> n = push(done);
      if (n.ok()) {
        done += *n;
        net::host::run_pending();
        continue;
      }
      if (n.error() == -EPIPE)
        return done ? ErrorOr<size_t>(done) : ErrorOr<size_t>(broken_pipe(flags));
      if (n.error() != -EAGAIN)
        return partial_or(done, n.error());
    }
    if (would_block(file, flags))
      return partial_or(done, -EAGAIN);
    int r = wait(deadline(false), what);
    if (r == -ETIMEDOUT)
      return partial_or(done, -EAGAIN);
    if (r < 0)
      return partial_or(done, r);
  }
}

// The TCP engine's readiness bits as EPOLL* bits.
uint32_t epoll_events_of(uint32_t tcp_events);
// Observers the engine calls on readiness changes (context: the TcpSocket).
void connection_changed(void* socket, uint32_t tcp_events);
void listener_changed(void* socket, uint32_t tcp_events);
// An engine endpoint as a socket address.
InetAddress address_of(const net::tcp::Endpoint& e);

} // namespace unix::inet
