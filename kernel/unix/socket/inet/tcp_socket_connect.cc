// TCP sockets' names and connections (tcp_socket.h): bind with the table of bound ports,
// listen, connect (blocking, or EINPROGRESS and SO_ERROR), accept, getsockname and
// getpeername.
//
// The engine has no bind step (it takes the local endpoint at listen and connect), so the
// conflicts bind reports are decided here, with Linux's rules: a port is shared only by
// different specific addresses, by sockets that all set SO_REUSEADDR while none listens,
// or by sockets that all set SO_REUSEPORT.
#include "lib/errno.h"
#include "lib/new.h"
#include "net/host.h"
#include "unix/socket/inet/tcp_socket.h"

namespace unix::inet {
namespace {

constexpr uint16_t kEphemeralFirst = 32768, kEphemeralLast = 60999; // ip_local_port_range
constexpr int kMaxBacklog = 4096;                                   // net.core.somaxconn

TcpSocket* g_bound = nullptr; // every TcpSocket in the table of bound ports
uint16_t g_next_ephemeral = kEphemeralFirst;

bool same_or_wildcard(const InetAddress& a, const InetAddress& b) {
  if (a.native_v6 || b.native_v6) {
    if (a.native_v6 != b.native_v6)
      return a.unspecified_v6 || b.unspecified_v6;
    for (int i = 0; i < 16; ++i)
      if (a.v6[i] != b.v6[i])
        return false;
    return true;
  }
  return a.v4 == 0 || b.v4 == 0 || a.v4 == b.v4;
}

bool conflicts(const TcpSocket* s, uint16_t port, const TcpSocket* other) {
  if (other == s || other->local.port != port || s->ipv6_only() != other->ipv6_only())
    return false;
  if (!same_or_wildcard(s->local, other->local))
    return false;
  if (s->options.reuse_port && other->options.reuse_port)
    return false;
  return !(s->options.reuse_address && other->options.reuse_address &&
           s->role != TcpSocket::Role::kListening && other->role != TcpSocket::Role::kListening);
}

bool port_taken(const TcpSocket* s, uint16_t port) {
  for (TcpSocket* o = g_bound; o; o = o->next_bound)
    if (conflicts(s, port, o))
      return true;
  return false;
}

// Enters s (its address set, port 0 for an ephemeral one) into the table.
Status enter_table(TcpSocket* s) {
  if (s->local.port == 0) {
    constexpr int kRange = kEphemeralLast - kEphemeralFirst + 1;
    for (int tries = 0; tries < kRange; ++tries) {
      uint16_t port = g_next_ephemeral;
      g_next_ephemeral = port == kEphemeralLast ? kEphemeralFirst : port + 1;
      if (!port_taken(s, port)) {
        s->local.port = port;
        break;
      }
    }
    if (s->local.port == 0)
      return Err(-EADDRINUSE);
  } else if (port_taken(s, s->local.port)) {
    return Err(-EADDRINUSE);
  }
  s->next_bound = g_bound;
  g_bound = s;
  s->bound = true;
  return status_ok();
}

} // namespace

// IPv6-only sockets live in an address space of their own (no IPv4 traffic reaches them).
bool TcpSocket::ipv6_only() const {
  return local.native_v6 || (domain() == kAfInet6 && options.v6only);
}

net::tcp::Endpoint TcpSocket::engine_endpoint(const InetAddress& a) const {
  net::tcp::Endpoint e{net::tcp::IpAddr::v4(a.v4), a.port};
  if (a.native_v6 || (a.is_any() && ipv6_only())) {
    e.addr = net::tcp::IpAddr{};
    e.addr.family = 6;
    if (a.native_v6)
      for (int i = 0; i < 16; ++i)
        e.addr.bytes[i] = a.v6[i];
  }
  return e;
}

InetAddress address_of(const net::tcp::Endpoint& e) {
  InetAddress a;
  a.port = e.port;
  if (e.addr.family != 6) {
    a.v4 = e.addr.as_v4();
    return a;
  }
  for (int i = 0; i < 16; ++i)
    a.v6[i] = e.addr.bytes[i];
  a.native_v6 = !e.addr.is_any();
  a.unspecified_v6 = e.addr.is_any();
  return a;
}

TcpSocket* TcpSocket::first_bound() {
  return g_bound;
}

void TcpSocket::unbind() {
  for (TcpSocket** p = &g_bound; *p; p = &(*p)->next_bound) {
    if (*p == this) {
      *p = next_bound;
      break;
    }
  }
  bound = false;
}

Status TcpSocket::bind(UserPtr<const void> user_addr, uint64_t len) {
  InetAddress a = TRY(read_address(user_addr, len));
  if (bound || role != Role::kFresh)
    return Err(-EINVAL);
  if (a.native_v6 && !a.is_v6_loopback())
    return Err(-EADDRNOTAVAIL); // no IPv6 address but ::1
  if (domain() == kAfInet6 && options.v6only && !a.unspecified_v6 && !a.native_v6)
    return Err(-EINVAL); // a v4-mapped address on an IPv6-only socket
  if (!a.native_v6 && !a.is_any() && !net::host::ip().is_local_address(net::Ipv4Address{a.v4}))
    return Err(-EADDRNOTAVAIL);
  InetAddress before = local;
  local = a;
  Status entered = enter_table(this);
  if (!entered.ok())
    local = before;
  return entered;
}

Status TcpSocket::listen(int backlog) {
  if (role == Role::kListening)
    return status_ok(); // Linux changes the backlog; the engine keeps the first one
  if (role != Role::kFresh)
    return Err(-EINVAL);
  if (!bound) {
    local = InetAddress{};
    local.unspecified_v6 = domain() == kAfInet6;
    TRY(enter_table(this));
  }
  if (backlog > kMaxBacklog || backlog < 0)
    backlog = kMaxBacklog; // Linux caps at somaxconn (and reads a negative one as huge)
  // An AF_INET6 wildcard without IPV6_V6ONLY takes IPv4 clients as well.
  bool dual_stack = domain() == kAfInet6 && !ipv6_only() && local.is_any();
  ErrorOr<net::tcp::Listener*> l =
      net::host::tcp().listen(engine_endpoint(local), backlog, dual_stack);
  if (!l.ok()) {
    // The port's engine listener belongs to another SO_REUSEPORT socket: share it.
    TcpSocket* partner = l.error() == -EADDRINUSE ? reuse_port_partner() : nullptr;
    if (!partner)
      return Err(l.error());
    TRY(join_reuse_port_group(partner));
    role = Role::kListening;
    return status_ok();
  }
  (*l)->set_observer({listener_changed, this});
  listener = *l;
  role = Role::kListening;
  return status_ok();
}

void TcpSocket::settle_connect() {
  if (role != Role::kConnecting || !connection)
    return;
  net::tcp::State s = connection->state();
  if (s == net::tcp::State::SynSent || s == net::tcp::State::SynReceived)
    return;
  if (s != net::tcp::State::Closed) {
    role = Role::kConnected;
    return;
  }
  int e = connection->take_error();
  error = e ? e : -ECONNREFUSED;
  connection->set_observer({});
  connection->close();
  connection = nullptr;
  role = Role::kFresh;
}

Status TcpSocket::connect(File& file, UserPtr<const void> user_addr, uint64_t len) {
  if (role == Role::kListening)
    return Err(-EISCONN);
  if (role == Role::kConnected)
    return Err(-EISCONN);
  if (role == Role::kFresh) {
    InetAddress a = TRY(read_address(user_addr, len));
    if (a.port == 0)
      return Err(-ECONNREFUSED);
    net::tcp::Endpoint from;
    if (a.native_v6 || (domain() == kAfInet6 && options.v6only)) {
      if (!a.is_v6_loopback())
        return Err(-ENETUNREACH); // IPv6 reaches ::1 only
      from = engine_endpoint(a);  // ::1 talks to itself
    } else {
      if (a.v4 == 0)
        a.v4 = net::Ipv4Address::loopback().value; // Linux reads 0.0.0.0 as "this host"
      net::Ipv4Address source{bound ? local.v4 : 0};
      if (source.is_any())
        source = TRY(net::host::ip().source_for(net::Ipv4Address{a.v4}));
      from.addr = net::tcp::IpAddr::v4(source.value);
      a.unspecified_v6 = false;
    }
    from.port = bound ? local.port : uint16_t{0};
    net::tcp::Connection* c = TRY(net::host::tcp().connect(from, engine_endpoint(a)));
    error = 0;
    connection = c;
    remote = a;
    local = address_of(c->local());
    c->set_observer({connection_changed, this});
    apply_connection_options();
    role = Role::kConnecting;
    net::host::run_pending(); // over loopback the handshake completes here
    // Non-blocking: EINPROGRESS even when it already completed, as Linux reports it over
    // loopback; the outcome is read through poll and SO_ERROR.
    if (file.flags & linux::O_NONBLOCK)
      return Err(-EINPROGRESS);
  }
  // Connecting: wait for the handshake's outcome, or report that it is under way.
  for (;;) {
    settle_connect();
    if (role == Role::kConnected)
      return status_ok();
    if (role == Role::kFresh) {
      int e = error;
      error = 0;
      return Err(e);
    }
    if (file.flags & linux::O_NONBLOCK)
      return Err(-EALREADY);
    int r = wait(deadline(false), "connect");
    if (r == -ETIMEDOUT)
      return Err(-EINPROGRESS); // SO_SNDTIMEO ran out; the handshake goes on
    if (r < 0)
      return Err(r);
  }
}

ErrorOr<Socket*> TcpSocket::next_connection(File& file) {
  if (role != Role::kListening)
    return Err(-EINVAL);
  for (;;) {
    if (accepted)
      return static_cast<Socket*>(accepted);
    if (net::tcp::Connection* c = next_engine_connection()) {
      auto* s = new (std::nothrow) TcpSocket(domain());
      if (!s) {
        c->abort();
        return Err(-ENOMEM);
      }
      s->options = options; // accepted sockets inherit the listener's options, as on Linux
      s->role = Role::kConnected;
      s->connection = c;
      s->local = address_of(c->local());
      s->remote = address_of(c->remote());
      c->set_observer({connection_changed, s});
      s->apply_connection_options();
      accepted = s;
      continue;
    }
    if (would_block(file, 0))
      return Err(-EAGAIN);
    int r = wait(deadline(true), "accept on a listening socket");
    if (r == -ETIMEDOUT)
      return Err(-EAGAIN);
    if (r < 0)
      return Err(r);
  }
}

void TcpSocket::take_connection(Socket* connection_socket) {
  if (connection_socket == accepted)
    accepted = nullptr;
}

SocketAddress TcpSocket::local_address() const {
  return to_socket_address(local);
}

ErrorOr<SocketAddress> TcpSocket::peer_address() const {
  if (role != Role::kConnected || !connection)
    return Err(-ENOTCONN);
  return to_socket_address(remote);
}

} // namespace unix::inet
