// AF_INET and AF_INET6 sockets over the kernel's network stack (net/host.h): TcpSocket
// (SOCK_STREAM, tcp_socket.cc) and UdpSocket (SOCK_DGRAM, udp_socket.cc) share InetSocket:
// addresses, the wait queue and readiness counters, and the socket options
// (inet_options.cc). Internal to this folder and the family registry (socket_families.cc).
//
// Waiting: a blocked call sleeps on the socket's queue; the stack's observers (TCP
// readiness changes, a UDP datagram arriving) wake it and announce the change to
// poll/select/epoll. The stack only moves when something drives it: every call that hands
// it work ends with net::host::run_pending(), which also delivers loopback traffic, so a
// connection between two threads progresses inside their system calls.
#pragma once

#include "sched/wait.h"
#include "unix/fd/event_file.h"
#include "unix/fd/file.h"
#include "unix/socket/inet/inet_address.h"
#include "unix/socket/socket.h"

#include <stddef.h>
#include <stdint.h>

namespace unix::inet {

constexpr int kSockStream = 1, kSockDgram = 2;
constexpr int kIpprotoIp = 0, kIpprotoTcp = 6, kIpprotoUdp = 17, kIpprotoIpv6 = 41;
constexpr int kEsocktnosupport = 94;
constexpr unsigned long kFionread = 0x541B;
// Linux's defaults (net.core.rmem_default / wmem_default) for what SO_RCVBUF reports.
constexpr int kDefaultBuffer = 212992;

// Options every inet socket keeps (SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6 and TCP's).
struct InetOptions {
  bool reuse_address = false, reuse_port = false, keepalive = false, broadcast = false;
  bool nodelay = false, v6only = false;
  bool linger = false;
  bool receive_errors = false; // IP_RECVERR / IPV6_RECVERR
  int linger_seconds = 0;
  int send_buffer = kDefaultBuffer, receive_buffer = kDefaultBuffer;
  // The program set SO_SNDBUF / SO_RCVBUF: TCP then uses half the reported (doubled) value,
  // the size asked for, instead of auto-tuning.
  bool send_buffer_set = false, receive_buffer_set = false;
  uint64_t receive_timeout_ns = 0, send_timeout_ns = 0; // 0: wait forever
  uint8_t tos = 0, ttl = 64;
  int keepalive_idle_s = 7200, keepalive_interval_s = 75, keepalive_count = 9;
};

class InetSocket : public Socket {
public:
  InetSocket(int domain, int type) : Socket(domain, type) {}

  // Shared option handling; the transports react in options_changed().
  ErrorOr<int> get_option(int level, int name) override;
  ErrorOr<size_t> get_option_bytes(int level, int name, uint8_t* out) override;
  Status set_option(int level, int name, UserPtr<const void> user_value, uint64_t len) override;
  SocketAddress unnamed_address() const override;

  InetOptions options;
  sched::WaitQueue waitq; // readers, writers, accepters and connecters of this socket
  EventGen gen;

protected:
  // The transport's part of getsockopt: TCP_INFO, SO_ERROR, SO_ACCEPTCONN, ...
  // -ENOPROTOOPT: not the transport's.
  virtual ErrorOr<int> transport_option(int level, int name) = 0;
  virtual ErrorOr<size_t> transport_option_bytes(int level, int name, uint8_t* out) {
    return Err(-ENOPROTOOPT);
  }
  // After a setsockopt changed `options` (level, name say which).
  virtual void options_changed(int level, int name) {}
  virtual int protocol() const = 0;

public:
  // ---- helpers for the transports ----
  // Copies and parses the user's sockaddr for this socket's family.
  ErrorOr<InetAddress> read_address(UserPtr<const void> user_addr, uint64_t len) const;
  SocketAddress to_socket_address(const InetAddress& a) const;
  // Blocks on waitq until woken (0), `deadline_ns` (-ETIMEDOUT) or a signal (-EINTR).
  int wait(uint64_t deadline_ns, const char* what);
  // The deadline for a wait under SO_RCVTIMEO (receive) or SO_SNDTIMEO.
  uint64_t deadline(bool receive) const;
  // Readiness changed: wakes waiters and poll/select/epoll.
  void announce_events(uint32_t epoll_events);
};

// The transports' constructors (for the family's create).
ErrorOr<Socket*> create_tcp_socket(int domain);
ErrorOr<Socket*> create_udp_socket(int domain);

extern const SocketFamily kInetFamily;
extern const SocketFamily kInet6Family;

} // namespace unix::inet
