// What the AF_INET and AF_INET6 sockets share (inet_socket.h): addresses, waiting,
// readiness announcements, the socket options, and the two family registry entries.
#include "unix/socket/inet/inet_socket.h"

#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "net/host.h"
#include "unix/signal/signal.h"
#include "unix/syscall/linux_abi.h"

namespace unix::inet {
namespace {

constexpr int kSolSocket = 1;
constexpr int kSoReuseaddr = 2, kSoDontroute = 5, kSoBroadcast = 6, kSoSndbuf = 7, kSoRcvbuf = 8,
              kSoKeepalive = 9, kSoOobinline = 10, kSoPriority = 12, kSoLinger = 13,
              kSoReuseport = 15, kSoRcvlowat = 18, kSoSndlowat = 19, kSoRcvtimeo = 20,
              kSoSndtimeo = 21, kSoProtocol = 38, kSoRcvtimeoNew = 66, kSoSndtimeoNew = 67;
constexpr int kIpTos = 1, kIpTtl = 2, kIpRecverr = 11;
constexpr int kIpv6Recverr = 25, kIpv6V6only = 26;
constexpr int kTcpNodelay = 1, kTcpMaxseg = 2, kTcpKeepidle = 4, kTcpKeepintvl = 5, kTcpKeepcnt = 6,
              kTcpDeferAccept = 9, kTcpQuickack = 12, kTcpUserTimeout = 18;
// Linux's bounds for SO_SNDBUF/SO_RCVBUF (it doubles the request for its bookkeeping).
constexpr int kMinSendBuffer = 4608, kMinReceiveBuffer = 2304, kMaxBuffer = 8 * 1024 * 1024;

struct Timeval {
  int64_t sec, usec;
};
struct Linger {
  int32_t onoff, seconds;
};

bool is_receive_timeout(int name) {
  return name == kSoRcvtimeo || name == kSoRcvtimeoNew;
}
bool is_timeout(int name) {
  return is_receive_timeout(name) || name == kSoSndtimeo || name == kSoSndtimeoNew;
}

template <typename T> size_t put(uint8_t* out, const T& value) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(&value);
  for (size_t i = 0; i < sizeof(T); ++i)
    out[i] = bytes[i];
  return sizeof(T);
}

} // namespace

// ---- addresses, waiting ----
ErrorOr<InetAddress> InetSocket::read_address(UserPtr<const void> user_addr, uint64_t len) const {
  uint8_t bytes[kSockaddrIn6Size] = {};
  if (len > sizeof(SocketAddress::bytes))
    return Err(-EINVAL);
  size_t n = len < sizeof bytes ? static_cast<size_t>(len) : sizeof bytes;
  if (n)
    TRY(copy_from_user(bytes, user_addr.as<uint8_t>(), n));
  return parse_address(domain(), bytes, static_cast<size_t>(len));
}

SocketAddress InetSocket::to_socket_address(const InetAddress& a) const {
  SocketAddress s;
  s.len = static_cast<uint32_t>(format_address(domain(), a, s.bytes));
  return s;
}

SocketAddress InetSocket::unnamed_address() const {
  return to_socket_address(InetAddress{});
}

int InetSocket::wait(uint64_t deadline_ns, const char* what) {
  // With a device attached, a packet from outside may end the wait: not a deadlock.
  waitq.interrupt_wakes = net::host::has_devices();
  return sched::wait(waitq, deadline_ns, what);
}

uint64_t InetSocket::deadline(bool receive) const {
  uint64_t timeout = receive ? options.receive_timeout_ns : options.send_timeout_ns;
  return timeout ? ktime::monotonic_ns() + timeout : sched::kNoDeadline;
}

void InetSocket::announce_events(uint32_t epoll_events) {
  sched::wake_all(waitq);
  announce(gen, epoll_events);
}

// ---- options ----
ErrorOr<int> InetSocket::get_option(int level, int name) {
  ErrorOr<int> own = transport_option(level, name);
  if (own.ok() || own.error() != -ENOPROTOOPT)
    return own;
  const InetOptions& o = options;
  if (level == kSolSocket) {
    switch (name) {
    case kSoReuseaddr:
      return o.reuse_address;
    case kSoReuseport:
      return o.reuse_port;
    case kSoBroadcast:
      return o.broadcast;
    case kSoKeepalive:
      return o.keepalive;
    case kSoSndbuf:
      return o.send_buffer;
    case kSoRcvbuf:
      return o.receive_buffer;
    case kSoProtocol:
      return protocol();
    case kSoRcvlowat:
    case kSoSndlowat:
      return 1;
    case kSoDontroute:
    case kSoOobinline:
    case kSoPriority:
      return 0;
    default:
      return Err(-ENOPROTOOPT);
    }
  }
  if (level == kIpprotoIp) {
    if (name == kIpTos)
      return o.tos;
    if (name == kIpTtl)
      return o.ttl;
    if (name == kIpRecverr)
      return o.receive_errors;
    return Err(-ENOPROTOOPT);
  }
  if (level == kIpprotoIpv6) {
    if (domain() == kAfInet6 && name == kIpv6V6only)
      return o.v6only;
    if (domain() == kAfInet6 && name == kIpv6Recverr)
      return o.receive_errors;
    return Err(-ENOPROTOOPT);
  }
  if (level == kIpprotoTcp) {
    if (type() != kSockStream)
      return Err(-EOPNOTSUPP);
    switch (name) {
    case kTcpNodelay:
      return o.nodelay;
    case kTcpKeepidle:
      return o.keepalive_idle_s;
    case kTcpKeepintvl:
      return o.keepalive_interval_s;
    case kTcpKeepcnt:
      return o.keepalive_count;
    case kTcpMaxseg:
      return 536; // the default before a connection negotiates its own
    case kTcpDeferAccept:
    case kTcpQuickack:
    case kTcpUserTimeout:
      return 0;
    default:
      return Err(-ENOPROTOOPT);
    }
  }
  return Err(-EOPNOTSUPP);
}

ErrorOr<size_t> InetSocket::get_option_bytes(int level, int name, uint8_t* out) {
  ErrorOr<size_t> own = transport_option_bytes(level, name, out);
  if (own.ok() || own.error() != -ENOPROTOOPT)
    return own;
  if (level != kSolSocket)
    return Err(-ENOPROTOOPT);
  if (name == kSoLinger)
    return put(out, Linger{options.linger ? 1 : 0, options.linger_seconds});
  if (is_timeout(name)) {
    uint64_t ns = is_receive_timeout(name) ? options.receive_timeout_ns : options.send_timeout_ns;
    return put(out, Timeval{static_cast<int64_t>(ns / 1000000000),
                            static_cast<int64_t>(ns % 1000000000 / 1000)});
  }
  return Err(-ENOPROTOOPT);
}

Status InetSocket::set_option(int level, int name, UserPtr<const void> user_value, uint64_t len) {
  InetOptions& o = options;
  if (level == kSolSocket && name == kSoLinger) {
    if (len < sizeof(Linger))
      return Err(-EINVAL);
    Linger l = TRY(copy_from_user(user_value.as<Linger>()));
    o.linger = l.onoff != 0;
    o.linger_seconds = l.seconds < 0 ? 0 : l.seconds;
    options_changed(level, name);
    return status_ok();
  }
  if (level == kSolSocket && is_timeout(name)) {
    if (len < sizeof(Timeval))
      return Err(-EINVAL);
    Timeval t = TRY(copy_from_user(user_value.as<Timeval>()));
    if (t.usec < 0 || t.usec >= 1000000)
      return Err(-EDOM);
    uint64_t ns = t.sec < 0 ? 0 : static_cast<uint64_t>(t.sec) * 1000000000 + t.usec * 1000;
    (is_receive_timeout(name) ? o.receive_timeout_ns : o.send_timeout_ns) = ns;
    return status_ok();
  }
  if (level != kSolSocket && level != kIpprotoIp && level != kIpprotoIpv6 && level != kIpprotoTcp)
    return Err(-ENOPROTOOPT);
  if (level == kIpprotoTcp && type() != kSockStream)
    return Err(-EOPNOTSUPP);
  if (len < sizeof(int32_t))
    return Err(-EINVAL);
  int32_t v = TRY(copy_from_user(user_value.as<int32_t>()));
  bool on = v != 0;
  auto buffer = [](int32_t want, int min) {
    int64_t doubled = want < 0 ? 0 : static_cast<int64_t>(want) * 2;
    if (doubled > kMaxBuffer)
      doubled = kMaxBuffer;
    return doubled < min ? min : static_cast<int>(doubled);
  };
  switch (level * 1000 + name) {
  case kSolSocket * 1000 + kSoReuseaddr:
    o.reuse_address = on;
    break;
  case kSolSocket * 1000 + kSoReuseport:
    o.reuse_port = on;
    break;
  case kSolSocket * 1000 + kSoBroadcast:
    o.broadcast = on;
    break;
  case kSolSocket * 1000 + kSoKeepalive:
    o.keepalive = on;
    break;
  case kSolSocket * 1000 + kSoSndbuf:
    o.send_buffer = buffer(v, kMinSendBuffer);
    o.send_buffer_set = true;
    break;
  case kSolSocket * 1000 + kSoRcvbuf:
    o.receive_buffer = buffer(v, kMinReceiveBuffer);
    o.receive_buffer_set = true;
    break;
  case kSolSocket * 1000 + kSoDontroute:
  case kSolSocket * 1000 + kSoOobinline:
  case kSolSocket * 1000 + kSoPriority:
  case kSolSocket * 1000 + kSoRcvlowat:
  case kSolSocket * 1000 + kSoSndlowat:
    break; // accepted; nothing here depends on them
  case kIpprotoIp * 1000 + kIpTos:
    o.tos = static_cast<uint8_t>(v);
    break;
  case kIpprotoIp * 1000 + kIpTtl:
    if (v == -1)
      v = 64;
    if (v < 1 || v > 255)
      return Err(-EINVAL);
    o.ttl = static_cast<uint8_t>(v);
    break;
  case kIpprotoIpv6 * 1000 + kIpv6Recverr:
    if (domain() != kAfInet6)
      return Err(-ENOPROTOOPT);
    [[fallthrough]];
  case kIpprotoIp * 1000 + kIpRecverr:
    // Recorded, not acted on: there is no error queue (MSG_ERRQUEUE), and ICMP errors
    // reach connected sockets either way. glibc's DNS resolver sets it on its UDP socket
    // and gives up on the lookup if the call fails.
    o.receive_errors = on;
    break;
  case kIpprotoIpv6 * 1000 + kIpv6V6only:
    if (domain() != kAfInet6)
      return Err(-ENOPROTOOPT);
    o.v6only = on;
    break;
  case kIpprotoTcp * 1000 + kTcpNodelay:
    o.nodelay = on;
    break;
  case kIpprotoTcp * 1000 + kTcpKeepidle:
  case kIpprotoTcp * 1000 + kTcpKeepintvl:
  case kIpprotoTcp * 1000 + kTcpKeepcnt:
    if (v < 1 || v > (name == kTcpKeepcnt ? 127 : 32767))
      return Err(-EINVAL);
    (name == kTcpKeepidle    ? o.keepalive_idle_s
     : name == kTcpKeepintvl ? o.keepalive_interval_s
                             : o.keepalive_count) = v;
    break;
  case kIpprotoTcp * 1000 + kTcpMaxseg:
  case kIpprotoTcp * 1000 + kTcpDeferAccept:
  case kIpprotoTcp * 1000 + kTcpQuickack:
  case kIpprotoTcp * 1000 + kTcpUserTimeout:
    break; // accepted; the engine decides these
  default:
    return Err(-ENOPROTOOPT);
  }
  options_changed(level, name);
  return status_ok();
}

// ---- the families ----
namespace {

ErrorOr<Socket*> create(int domain, int type, int protocol) {
  if (type == kSockStream) {
    if (protocol != 0 && protocol != kIpprotoTcp)
      return Err(-EPROTONOSUPPORT);
    return create_tcp_socket(domain);
  }
  if (type == kSockDgram) {
    if (protocol != 0 && protocol != kIpprotoUdp)
      return Err(-EPROTONOSUPPORT);
    return create_udp_socket(domain);
  }
  return Err(-kEsocktnosupport);
}

ErrorOr<Socket*> create_inet(int type, int protocol) {
  return create(kAfInet, type, protocol);
}
ErrorOr<Socket*> create_inet6(int type, int protocol) {
  return create(kAfInet6, type, protocol);
}

} // namespace

// socketpair is EOPNOTSUPP for both, as on Linux.
const SocketFamily kInetFamily{kAfInet, create_inet, nullptr};
const SocketFamily kInet6Family{kAfInet6, create_inet6, nullptr};

} // namespace unix::inet
