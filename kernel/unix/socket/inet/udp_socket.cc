// SOCK_DGRAM sockets of AF_INET and AF_INET6 over the IP stack's UDP table (net/udp_table.h),
// which does binding, demultiplexing and ICMP errors; this file is the system-call side:
// addresses, blocking, MSG_PEEK/MSG_TRUNC, shutdown, readiness and options.
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/new.h"
#include "net/host.h"
#include "net/udp_table.h"
#include "unix/socket/inet/inet_socket.h"
#include "unix/syscall/heap_buffer.h"
#include "unix/syscall/linux_abi.h"

namespace unix::inet {
namespace {

constexpr size_t kMaxDatagram = 65535;
constexpr int kSolSocket = 1, kSoError = 4, kSoAcceptconn = 30;

// Copies between the bounce buffer and the user's vector (bytes [0, n)).
bool copy_vector(const IoVector& io, uint8_t* kernel, size_t n, bool to_user) {
  for (long i = 0; i < io.count && n; ++i) {
    size_t k = io.v[i].len < n ? io.v[i].len : n;
    bool ok = to_user ? copy_to_user(io.base(i), kernel, k).ok()
                      : copy_from_user(kernel, io.base(i), k).ok();
    if (!ok)
      return false;
    kernel += k, n -= k;
  }
  return true;
}

class DatagramSocket final : public InetSocket {
public:
  explicit DatagramSocket(int domain) : InetSocket(domain, kSockDgram) {
    udp.on_readable = [](void* self) {
      static_cast<DatagramSocket*>(self)->announce_events(kEpollIn | kEpollRdNorm);
    };
    udp.readable_ctx = this;
    net::host::ip().udp().open(udp);
  }

  Status bind(UserPtr<const void> user_addr, uint64_t len) override {
    InetAddress a = TRY(read_address(user_addr, len));
    if (a.native_v6)
      return Err(-EADDRNOTAVAIL); // no IPv6 addresses here
    if (domain() == kAfInet6 && options.v6only && !a.unspecified_v6)
      return Err(-EINVAL);
    return net::host::ip().udp().bind(udp, {net::Ipv4Address{a.v4}, a.port});
  }

  Status listen(int) override { return Err(-EOPNOTSUPP); }

  Status connect(File&, UserPtr<const void> user_addr, uint64_t len) override {
    uint8_t family[2] = {};
    if (len >= 2)
      TRY(copy_from_user(family, user_addr.as<uint8_t>(), 2));
    if (len >= 2 && address_family(family, 2) == kAfUnspec) {
      read_shut = write_shut = false;
      return net::host::ip().udp().connect(udp, {net::Ipv4Address::any(), 0}); // dissolve
    }
    InetAddress a = TRY(read_address(user_addr, len));
    if (a.native_v6 || (domain() == kAfInet6 && options.v6only))
      return Err(-ENETUNREACH);
    if (a.v4 == 0)
      a.v4 = net::Ipv4Address::loopback().value;
    return net::host::ip().udp().connect(udp, {net::Ipv4Address{a.v4}, a.port});
  }

  ErrorOr<Socket*> next_connection(File&) override { return Err(-EOPNOTSUPP); }
  void take_connection(Socket*) override {}

  SocketAddress local_address() const override {
    return to_socket_address(address_of(udp.local()));
  }
  ErrorOr<SocketAddress> peer_address() const override {
    if (!udp.is_connected())
      return Err(-ENOTCONN);
    return to_socket_address(address_of(udp.remote()));
  }

  ErrorOr<size_t> send(File& file, const IoVector& io, int flags, UserPtr<const void> user_addr,
                       uint64_t addr_len) override {
    if (flags & kMsgOob)
      return Err(-EOPNOTSUPP);
    if (write_shut)
      return broken_pipe(flags);
    net::Ipv4Endpoint to;
    bool addressed = !user_addr.is_null() && addr_len;
    if (addressed) {
      InetAddress a = TRY(read_address(user_addr, addr_len));
      if (a.native_v6 || (domain() == kAfInet6 && options.v6only))
        return Err(-ENETUNREACH);
      if (a.port == 0)
        return Err(-EINVAL);
      to = {net::Ipv4Address{a.v4 ? a.v4 : net::Ipv4Address::loopback().value}, a.port};
    }
    if (io.total > kMaxDatagram)
      return Err(-EMSGSIZE);
    HeapBuffer bounce(io.total ? io.total : 1);
    if (!bounce.ok())
      return Err(-ENOMEM);
    auto* buf = reinterpret_cast<uint8_t*>(bounce.data());
    if (!copy_vector(io, buf, io.total, false))
      return Err(-EFAULT);
    udp.broadcast = options.broadcast;
    ErrorOr<size_t> sent =
        net::host::ip().udp().send_to(udp, buf, io.total, addressed ? &to : nullptr);
    net::host::run_pending();
    (void)file;
    return sent;
  }

  ErrorOr<size_t> receive(File& file, const IoVector& io, int flags, int* msg_flags,
                          SocketAddress* from) override {
    from->len = 0;
    if (flags & kMsgOob)
      return Err(-EOPNOTSUPP);
    size_t capacity = io.total < kMaxDatagram ? io.total : kMaxDatagram;
    HeapBuffer bounce(capacity ? capacity : 1);
    if (!bounce.ok())
      return Err(-ENOMEM);
    auto* buf = reinterpret_cast<uint8_t*>(bounce.data());
    for (;;) {
      auto got = net::host::ip().udp().receive_from(udp, buf, capacity, flags & kMsgPeek);
      if (got.ok()) {
        if (!copy_vector(io, buf, got->copied, true))
          return Err(-EFAULT);
        *from = to_socket_address(address_of(got->from));
        if (got->length > got->copied)
          *msg_flags |= kMsgTrunc; // the rest of the datagram is gone
        return (flags & kMsgTrunc) ? got->length : got->copied;
      }
      if (got.error() != -EAGAIN)
        return Err(got.error());
      if (read_shut)
        return size_t{0};
      if (would_block(file, flags))
        return Err(-EAGAIN);
      int r = wait(deadline(true), "receive on an empty socket");
      if (r == -ETIMEDOUT)
        return Err(-EAGAIN);
      if (r < 0)
        return Err(r);
    }
  }

  Status shutdown(int how) override {
    if (!udp.is_connected())
      return Err(-ENOTCONN);
    if (how == 0 || how == 2)
      read_shut = true;
    if (how == 1 || how == 2)
      write_shut = true;
    announce_events(kEpollIn | kEpollOut);
    return status_ok();
  }

  Readiness readiness() override {
    Readiness r{kEpollOut | kEpollWrNorm, gen.in, gen.out};
    if (udp.readable() || read_shut)
      r.events |= kEpollIn | kEpollRdNorm;
    if (read_shut && write_shut)
      r.events |= kEpollHup;
    return r;
  }

  // FIONREAD: the next datagram's length (0 when none), as Linux reports for UDP.
  ErrorOr<long> ioctl(unsigned long request, uint64_t arg) override {
    if (request != kFionread)
      return Err(-ENOTTY);
    int n = 0;
    if (udp.queued_datagrams()) {
      auto next = net::host::ip().udp().receive_from(udp, nullptr, 0, /*peek=*/true);
      if (next.ok())
        n = static_cast<int>(next->length);
    }
    TRY(copy_to_user(UserPtr<int>(arg), &n));
    return 0L;
  }

  void close() override {
    net::host::ip().udp().close(udp);
    net::host::run_pending();
    delete this;
  }

protected:
  ErrorOr<int> transport_option(int level, int name) override {
    if (level == kSolSocket && name == kSoError)
      return 0; // ICMP errors surface at the next send or receive (the table keeps them)
    if (level == kSolSocket && name == kSoAcceptconn)
      return 0;
    return Err(-ENOPROTOOPT);
  }

  void options_changed(int, int) override {
    udp.reuse_address = options.reuse_address;
    udp.reuse_port = options.reuse_port;
    udp.broadcast = options.broadcast;
    udp.receive_limit = static_cast<size_t>(options.receive_buffer);
    udp.ttl = options.ttl;
  }

  int protocol() const override { return kIpprotoUdp; }

private:
  static InetAddress address_of(const net::Ipv4Endpoint& e) {
    InetAddress a;
    a.v4 = e.addr.value;
    a.port = e.port;
    return a;
  }

  net::UdpSocket udp;
  bool read_shut = false, write_shut = false;
};

} // namespace

ErrorOr<Socket*> create_udp_socket(int domain) {
  auto* s = new (std::nothrow) DatagramSocket(domain);
  if (!s)
    return Err(-ENOMEM);
  return static_cast<Socket*>(s);
}

} // namespace unix::inet
