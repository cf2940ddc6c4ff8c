// TCP sockets' data path, readiness, options and close (tcp_socket.h). Bytes go between
// user memory and the engine's buffers through a per-call bounce buffer: the engine copies
// from kernel memory, and a user page fault may sleep, so no buffer is shared between
// calls.
#include "unix/socket/inet/tcp_socket.h"

#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/new.h"
#include "net/host.h"
#include "unix/syscall/heap_buffer.h"
#include "unix/syscall/linux_abi.h"

namespace unix::inet {
namespace {

constexpr size_t kBounceSize = 64 * 1024;
constexpr int kSolSocket = 1, kSoError = 4, kSoAcceptconn = 30;
constexpr int kTcpMaxseg = 2, kTcpInfo = 11, kTcpCongestion = 13;

bool gather(const IoVector& io, size_t off, uint8_t* out, size_t n) {
  return io.for_ranges(off, n, [&](UserPtr<uint8_t> u, size_t k) {
    bool ok = copy_from_user(out, u, k).ok();
    out += k;
    return ok;
  });
}

bool scatter(const IoVector& io, size_t off, const uint8_t* in, size_t n) {
  return io.for_ranges(off, n, [&](UserPtr<uint8_t> u, size_t k) {
    bool ok = copy_to_user(u, in, k).ok();
    in += k;
    return ok;
  });
}

size_t bounce_size(size_t total) {
  return total < kBounceSize ? (total ? total : 1) : kBounceSize;
}

// Linux's struct tcp_info, up to tcpi_total_retrans (the fields this engine can fill).
struct TcpInfo {
  uint8_t state, ca_state, retransmits, probes, backoff, options, wscale, delivery_flags;
  uint32_t rto, ato, snd_mss, rcv_mss;
  uint32_t unacked, sacked, lost, retrans, fackets;
  uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
  uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
  uint32_t rcv_rtt, rcv_space;
  uint32_t total_retrans;
};
static_assert(sizeof(TcpInfo) == 104);

// Linux's TCP_* state numbers for tcpi_state.
uint8_t linux_state(net::tcp::State s) {
  using net::tcp::State;
  switch (s) {
  case State::Established:
    return 1;
  case State::SynSent:
    return 2;
  case State::SynReceived:
    return 3;
  case State::FinWait1:
    return 4;
  case State::FinWait2:
    return 5;
  case State::TimeWait:
    return 6;
  case State::Closed:
    return 7;
  case State::CloseWait:
    return 8;
  case State::LastAck:
    return 9;
  case State::Listen:
    return 10;
  case State::Closing:
    return 11;
  }
  return 7;
}

TcpInfo tcp_info_of(const TcpSocket& s) {
  TcpInfo t{};
  if (s.role == TcpSocket::Role::kListening) {
    t.state = 10;
    return t;
  }
  if (!s.connection) {
    t.state = 7;
    return t;
  }
  net::tcp::ConnectionInfo i = s.connection->info();
  t.state = linux_state(i.state);
  t.options = (i.timestamps ? 1 : 0) | (i.sack ? 2 : 0) |
              (i.send_wscale || i.receive_wscale ? 4 : 0); // TCPI_OPT_TIMESTAMPS/SACK/WSCALE
  t.wscale = static_cast<uint8_t>((i.send_wscale & 0xF) | (i.receive_wscale & 0xF) << 4);
  t.rto = static_cast<uint32_t>(i.rto_us);
  t.snd_mss = t.rcv_mss = t.advmss = i.send_mss;
  uint32_t mss = i.send_mss ? i.send_mss : 1;
  t.unacked = (i.unacked + mss - 1) / mss; // Linux counts segments
  t.rtt = static_cast<uint32_t>(i.srtt_us);
  t.rttvar = static_cast<uint32_t>(i.rttvar_us);
  t.snd_ssthresh = i.ssthresh / mss;
  t.snd_cwnd = i.cwnd / mss;
  t.pmtu = i.send_mss + 40;
  t.rcv_space = i.receive_window;
  t.rcv_ssthresh = i.receive_window;
  t.reordering = 3;
  t.total_retrans = static_cast<uint32_t>(i.retransmitted_segments);
  t.backoff = static_cast<uint8_t>(i.timeouts > 255 ? 255 : i.timeouts);
  return t;
}

} // namespace

uint32_t epoll_events_of(uint32_t e) {
  uint32_t r = 0;
  if (e & net::tcp::kReadable)
    r |= kEpollIn | kEpollRdNorm;
  if (e & net::tcp::kWritable)
    r |= kEpollOut | kEpollWrNorm;
  if (e & net::tcp::kReadHangup)
    r |= kEpollRdHup;
  if (e & net::tcp::kHangup)
    r |= kEpollHup;
  if (e & net::tcp::kError)
    r |= kEpollErr;
  return r;
}

void connection_changed(void* socket, uint32_t tcp_events) {
  static_cast<TcpSocket*>(socket)->announce_events(epoll_events_of(tcp_events) | kEpollIn |
                                                   kEpollOut);
}

void listener_changed(void* socket, uint32_t) {
  static_cast<TcpSocket*>(socket)->announce_events(kEpollIn);
}

ErrorOr<size_t> TcpSocket::send(File& file, const IoVector& io, int flags, UserPtr<const void>,
                                uint64_t) {
  if (flags & kMsgOob)
    return Err(-EOPNOTSUPP);
  HeapBuffer bounce(bounce_size(io.total));
  if (!bounce.data())
    return Err(-ENOMEM);
  auto* buf = reinterpret_cast<uint8_t*>(bounce.data());
  return send_loop(file, flags, io.total, "send on a full socket", [&](size_t done) {
    size_t chunk = io.total - done < kBounceSize ? io.total - done : kBounceSize;
    // Fetch from user memory only what the send buffer takes now: a full buffer costs no
    // copy at all, a nearly full one a short copy (an event loop's send that gets EAGAIN
    // would otherwise copy 64 KiB for nothing).
    size_t room = connection->send_room(chunk);
    if (room > 0)
      chunk = room;
    if (room > 0 && !gather(io, done, buf, chunk))
      return ErrorOr<size_t>(Err(-EFAULT));
    return connection->send(buf, room > 0 ? chunk : 0);
  });
}

ErrorOr<size_t> TcpSocket::receive(File& file, const IoVector& io, int flags, int*,
                                   SocketAddress* from) {
  from->len = 0;
  if (flags & kMsgOob)
    return Err(-EINVAL);
  bool peek = flags & kMsgPeek;
  HeapBuffer bounce(bounce_size(io.total));
  if (!bounce.data())
    return Err(-ENOMEM);
  auto* buf = reinterpret_cast<uint8_t*>(bounce.data());
  size_t done = 0;
  for (;;) {
    settle_connect();
    if (role == Role::kFresh && error) {
      int e = error;
      error = 0;
      return Err(e);
    }
    if (role == Role::kFresh || role == Role::kListening)
      return Err(-ENOTCONN);
    if (io.total == 0)
      return size_t{0};
    if (role == Role::kConnected) {
      size_t chunk = io.total - done < kBounceSize ? io.total - done : kBounceSize;
      ErrorOr<size_t> n = connection->recv(buf, chunk, peek);
      if (n.ok() && *n > 0) {
        if (!scatter(io, done, buf, *n))
          return partial_or(done, -EFAULT);
        done += *n;
        if (!peek)
          net::host::run_pending(); // the window opened: an update may go out
        if (peek || done == io.total)
          return done;
        continue; // take what else is there without waiting
      }
      if (n.ok())
        return done; // end of stream
      if (n.error() != -EAGAIN)
        return partial_or(done, n.error());
      if (done && !(flags & kMsgWaitall))
        return done;
      if (read_shut)
        return done;
    }
    if (would_block(file, flags))
      return partial_or(done, -EAGAIN);
    int r = wait(deadline(true), "receive on an empty socket");
    if (r == -ETIMEDOUT)
      return partial_or(done, -EAGAIN);
    if (r < 0)
      return partial_or(done, r);
  }
}

Status TcpSocket::shutdown(int how) {
  settle_connect();
  if (role != Role::kConnected && role != Role::kConnecting)
    return Err(-ENOTCONN);
  if (how == 0 || how == 2)
    read_shut = true; // reads end once the buffer is empty, as on Linux
  if ((how == 1 || how == 2) && connection)
    (void)connection->shutdown_write();
  net::host::run_pending();
  announce_events(kEpollIn | kEpollOut | kEpollRdHup);
  return status_ok();
}

Readiness TcpSocket::readiness() {
  Readiness r{0, gen.in, gen.out};
  settle_connect();
  if (role == Role::kListening) {
    if (accepted || has_engine_connection())
      r.events |= kEpollIn | kEpollRdNorm;
    return r;
  }
  if (!connection) {
    // Never connected, or a connect failed: Linux reports a closed socket as writable and
    // hung up; a failed connect's error first.
    r.events |= kEpollOut | kEpollWrNorm | kEpollHup;
    if (error)
      r.events |= kEpollErr;
    return r;
  }
  r.events |= epoll_events_of(connection->events());
  if (read_shut)
    r.events |= kEpollIn | kEpollRdNorm | kEpollRdHup;
  return r;
}

ErrorOr<long> TcpSocket::ioctl(unsigned long request, uint64_t arg) {
  if (request != kFionread)
    return Err(-ENOTTY);
  if (role == Role::kListening)
    return Err(-EINVAL);
  int n = connection ? static_cast<int>(connection->readable_bytes()) : 0;
  TRY(copy_to_user(UserPtr<int>(arg), &n));
  return 0L;
}

void TcpSocket::apply_connection_options() {
  if (!connection)
    return;
  connection->set_nodelay(options.nodelay);
  connection->set_keepalive_params(static_cast<uint64_t>(options.keepalive_idle_s) * 1000000,
                                   static_cast<uint64_t>(options.keepalive_interval_s) * 1000000,
                                   options.keepalive_count);
  connection->set_keepalive(options.keepalive);
  // A linger timeout is ours to wait for (close); the engine needs only "RST at close".
  connection->set_linger(options.linger && options.linger_seconds == 0, 0);
  if (options.send_buffer_set)
    connection->set_send_buffer_size(static_cast<size_t>(options.send_buffer) / 2);
  if (options.receive_buffer_set)
    connection->set_receive_buffer_size(static_cast<size_t>(options.receive_buffer) / 2);
}

void TcpSocket::options_changed(int, int) {
  apply_connection_options();
  net::host::run_pending(); // TCP_NODELAY may release a held segment
}

ErrorOr<int> TcpSocket::transport_option(int level, int name) {
  if (level == kSolSocket && name == kSoError) {
    settle_connect();
    int e = error;
    error = 0;
    if (!e && connection)
      e = connection->take_error();
    return -e;
  }
  if (level == kSolSocket && name == kSoAcceptconn)
    return role == Role::kListening ? 1 : 0;
  if (level == kIpprotoTcp && name == kTcpMaxseg && connection)
    return static_cast<int>(connection->info().send_mss);
  return Err(-ENOPROTOOPT);
}

ErrorOr<size_t> TcpSocket::transport_option_bytes(int level, int name, uint8_t* out) {
  if (level == kIpprotoTcp && name == kTcpInfo) {
    TcpInfo t = tcp_info_of(*this);
    const auto* bytes = reinterpret_cast<const uint8_t*>(&t);
    for (size_t i = 0; i < sizeof t; ++i)
      out[i] = bytes[i];
    return sizeof t;
  }
  if (level == kIpprotoTcp && name == kTcpCongestion) {
    const char name_of_algorithm[16] = "cubic";
    for (size_t i = 0; i < sizeof name_of_algorithm; ++i)
      out[i] = static_cast<uint8_t>(name_of_algorithm[i]);
    return sizeof name_of_algorithm;
  }
  return Err(-ENOPROTOOPT);
}

void TcpSocket::close() {
  if (accepted) {
    accepted->close();
    accepted = nullptr;
  }
  if (listener) {
    listener->set_observer({});
    listener->close(); // connections never accepted are reset
    listener = nullptr;
  }
  if (reuse_group)
    leave_reuse_port_group(); // as do those handed to this member of a group
  if (connection) {
    // SO_LINGER with a timeout: close waits for the peer to acknowledge everything, then
    // resets what is left.
    if (options.linger && options.linger_seconds > 0 && role == Role::kConnected) {
      (void)connection->shutdown_write();
      net::host::run_pending();
      uint64_t until =
          ktime::monotonic_ns() + static_cast<uint64_t>(options.linger_seconds) * 1000000000;
      while (!connection->all_data_acknowledged() &&
             connection->state() != net::tcp::State::Closed) {
        if (wait(until, "close with SO_LINGER") < 0)
          break;
      }
      connection->set_observer({});
      if (connection->all_data_acknowledged())
        connection->close();
      else
        connection->abort();
    } else {
      connection->set_observer({});
      connection->close();
    }
    connection = nullptr;
  }
  if (bound)
    unbind();
  net::host::run_pending();
  delete this;
}

ErrorOr<Socket*> create_tcp_socket(int domain) {
  auto* s = new (std::nothrow) TcpSocket(domain);
  if (!s)
    return Err(-ENOMEM);
  return static_cast<Socket*>(s);
}

} // namespace unix::inet
