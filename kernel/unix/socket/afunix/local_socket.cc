// AF_UNIX sockets inside the one process (LocalSocket, local_socket.h): creation and
// socketpair (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET), the data path (send/recv,
// datagrams by name and the sender's name at recvfrom), shutdown, options and closing;
// names and connections (bind, listen, connect, accept) are in local_socket_names.cc. No
// SCM_RIGHTS.
// Each endpoint owns a receive ring the peer writes into; datagrams and seqpackets are
// stored as a length word, the sender's address and the bytes, so boundaries survive.
// Blocking waits on the endpoint's own queues (sched::wait), or on g_backlog_waiters and
// g_datagram_waiters, which are never freed, so an endpoint closing never frees a queue
// someone waits on.
#include "unix/socket/afunix/local_socket.h"

#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/new.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "unix/events/byte_ring.h"
#include "unix/fd/event_file.h"
#include "unix/syscall/linux_abi.h"
#include "unix/signal/signal.h"

namespace unix::afunix {

SocketNames g_names;
sched::WaitQueue g_backlog_waiters;
sched::WaitQueue g_datagram_waiters;

SocketAddress unnamed() {
  SocketAddress a;
  a.len = 2;
  a.bytes[0] = kAfUnix;
  return a;
}

LocalSocket::LocalSocket(int type) : Socket(kAfUnix, type), name(unnamed()), peer_name(unnamed()) {
  // The ring's storage follows the socket in the same allocation (new_socket).
  rx.init(reinterpret_cast<uint8_t*>(this + 1), kBufferSize);
}

LocalSocket* new_socket(int type) {
  void* memory = kmalloc(sizeof(LocalSocket) + kBufferSize);
  return memory ? new (memory) LocalSocket(type) : nullptr;
}

int take_error(LocalSocket* s) {
  int e = s->error;
  s->error = 0;
  return e;
}

namespace {

// ---- user I/O vectors ----
// Ring bytes from `ring_off` on -> vector bytes [iov_off, iov_off + n). False on a fault.
bool ring_to_iov(const ByteRing& r, size_t ring_off, const IoVector& io, size_t iov_off, size_t n) {
  return io.for_ranges(iov_off, n, [&](UserPtr<uint8_t> u, size_t k) {
    while (k) {
      ByteSpan s = r.readable(ring_off);
      size_t c = s.len < k ? s.len : k;
      if (c == 0 || !copy_to_user(u, s.data, c).ok())
        return false;
      u = u.byte_offset(c), k -= c, ring_off += c;
    }
    return true;
  });
}

// Vector bytes [iov_off, iov_off + n) -> appended to the ring (n <= space). False on a
// fault (what was appended stays; the caller may drop it).
bool iov_to_ring(ByteRing& r, const IoVector& io, size_t iov_off, size_t n) {
  return io.for_ranges(iov_off, n, [&](UserPtr<uint8_t> u, size_t k) {
    while (k) {
      ByteSpan s = r.writable();
      size_t c = s.len < k ? s.len : k;
      if (c == 0 || !copy_from_user(s.data, u, c).ok())
        return false;
      r.commit(c);
      u = u.byte_offset(c), k -= c;
    }
    return true;
  });
}

// ---- data transfer ----
// The peer's ring got data: wake its reader and tell pollers.
void delivered(LocalSocket* to) {
  sched::wake_all(to->readq);
  announce(to->gen, kEpollIn);
}
// Our ring lost data: the peer may write again.
void drained(LocalSocket* s) {
  if (s->peer) {
    sched::wake_all(s->peer->writeq);
    announce(s->peer->gen, kEpollOut);
  }
  if (s->bound && s->type() == kSockDgram)
    sched::wake_all(g_datagram_waiters);
}

// Appends one message (with the sender's address, if any) to `to`'s ring, which has room.
// False on a fault in the user's bytes (nothing is left behind).
bool push_message(LocalSocket* to, const SocketAddress* from, const IoVector& io) {
  uint32_t alen = from ? from->len : 0;
  uint32_t word = static_cast<uint32_t>(io.total) | alen << 24;
  size_t before = to->rx.size();
  to->rx.push(&word, kHeader);
  if (alen)
    to->rx.push(from->bytes, alen);
  if (!iov_to_ring(to->rx, io, 0, io.total)) {
    to->rx.drop_newest(to->rx.size() - before); // no half datagrams
    return false;
  }
  ++to->rx_messages;
  delivered(to);
  return true;
}

ErrorOr<size_t> send_stream(File& f, LocalSocket* s, const IoVector& io, int flags) {
  size_t done = 0;
  for (;;) {
    LocalSocket* peer = s->peer;
    if (!s->connected)
      return Err(-ENOTCONN);
    if (!peer || (s->shut & kShutWrite)) {
      if (done)
        return done;
      return broken_pipe(flags);
    }
    if (done == io.total)
      return done;
    size_t n = peer->rx.space() < io.total - done ? peer->rx.space() : io.total - done;
    if (n) {
      size_t before = peer->rx.size();
      bool ok = iov_to_ring(peer->rx, io, done, n);
      size_t moved = peer->rx.size() - before;
      done += moved;
      if (moved)
        delivered(peer);
      if (!ok)
        return partial_or(done, -EFAULT);
      continue;
    }
    if (would_block(f, flags))
      return partial_or(done, -EAGAIN);
    if (int r = sched::wait(s->writeq, sched::kNoDeadline, "send on a full socket"); r < 0)
      return partial_or(done, r);
  }
}

ErrorOr<size_t> send_message(File& f, LocalSocket* s, const IoVector& io, int flags) {
  if (io.total + kHeader > kBufferSize)
    return Err(-EMSGSIZE);
  for (;;) {
    LocalSocket* peer = s->peer;
    if (!s->connected)
      return Err(-ENOTCONN);
    if (!peer) {
      if (s->type() == kSockDgram)
        return Err(-ECONNREFUSED);
      return broken_pipe(flags);
    }
    if ((s->shut & kShutWrite) || (peer->shut & kShutRead))
      return broken_pipe(flags);
    if (peer->rx.space() >= kHeader + io.total) {
      if (!push_message(peer, nullptr, io))
        return Err(-EFAULT);
      return io.total;
    }
    if (would_block(f, flags))
      return Err(-EAGAIN);
    if (int r = sched::wait(s->writeq, sched::kNoDeadline, "send on a full socket"); r < 0)
      return Err(r);
  }
}

// A datagram to the socket bound to `key`, looked up for every send (it may close).
ErrorOr<size_t> send_to_name(File& f, LocalSocket* s, const SocketName& key, const IoVector& io,
                             int flags) {
  const SocketAddress* from = s->bound ? &s->name : nullptr;
  size_t need = kHeader + (from ? from->len : 0) + io.total;
  if (need > kBufferSize)
    return Err(-EMSGSIZE);
  for (;;) {
    auto* to = static_cast<LocalSocket*>(g_names.find(key));
    if (!to)
      return Err(-ECONNREFUSED);
    if (to->type() != kSockDgram)
      return Err(-EPROTOTYPE);
    if (s->shut & kShutWrite)
      return broken_pipe(flags);
    if (to->rx.space() >= need) {
      if (!push_message(to, from, io))
        return Err(-EFAULT);
      return io.total;
    }
    if (would_block(f, flags))
      return Err(-EAGAIN);
    if (int r = sched::wait(g_datagram_waiters, sched::kNoDeadline, "send to a full socket"); r < 0)
      return Err(r);
  }
}

// sendto/sendmsg with an address: a datagram to that name; stream and seqpacket sockets
// take none (EISCONN when connected).
ErrorOr<size_t> send_with_address(File& f, LocalSocket* s, UserPtr<const void> uaddr, uint64_t len,
                                  const IoVector& io, int flags) {
  if (s->type() != kSockDgram)
    return Err(s->connected ? -EISCONN : -EOPNOTSUPP);
  if (flags & kMsgOob)
    return Err(-EOPNOTSUPP);
  UnixAddr addr;
  TRY(read_addr(uaddr, len, &addr));
  SocketName key;
  SocketAddress shown;
  TRY(resolve_name(addr, len, kSockDgram, &key, &shown));
  if (!g_names.find(key))
    return Err(nothing_bound(addr, key));
  return send_to_name(f, s, key, io, flags);
}

ErrorOr<size_t> recv_stream(File& f, LocalSocket* s, const IoVector& io, int flags) {
  size_t done = 0;
  bool peek = flags & kMsgPeek;
  for (;;) {
    size_t avail = s->rx.size() - (peek ? done : 0);
    if (avail && done < io.total) {
      size_t n = avail < io.total - done ? avail : io.total - done;
      if (!ring_to_iov(s->rx, peek ? done : 0, io, done, n))
        return partial_or(done, -EFAULT);
      if (!peek) {
        s->rx.consume(n);
        drained(s);
      }
      done += n;
    }
    bool want_more = (flags & kMsgWaitall) && !peek && done < io.total;
    if ((done && !want_more) || io.total == 0)
      return done;
    if (s->error && !done)
      return Err(-take_error(s));
    if (s->shut & kShutRead)
      return done; // end of file
    if (!s->connected)
      return partial_or(done, -EINVAL);
    if (would_block(f, flags))
      return partial_or(done, -EAGAIN);
    if (int r = sched::wait(s->readq, sched::kNoDeadline, "receive on an empty socket"); r < 0)
      return partial_or(done, r);
  }
}

ErrorOr<size_t> recv_message(File& f, LocalSocket* s, const IoVector& io, int flags, int* msg_flags,
                             SocketAddress* from) {
  for (;;) {
    if (s->rx_messages) {
      uint32_t word;
      s->rx.peek(0, &word, kHeader);
      uint32_t len = word & kLengthMask, alen = word >> 24;
      from->len = alen;
      if (alen)
        s->rx.peek(kHeader, from->bytes, alen);
      size_t n = len < io.total ? len : io.total;
      if (!ring_to_iov(s->rx, kHeader + alen, io, 0, n))
        return Err(-EFAULT);
      if (len > io.total)
        *msg_flags |= kMsgTrunc; // the rest of the datagram is discarded
      if (!(flags & kMsgPeek)) {
        s->rx.consume(kHeader + alen + len);
        --s->rx_messages;
        drained(s);
      }
      return flags & kMsgTrunc ? size_t{len} : n;
    }
    if (s->error)
      return Err(-take_error(s));
    if (s->shut & kShutRead)
      return size_t{0};
    if (!s->connected && s->type() == kSockSeqpacket)
      return Err(-ENOTCONN);
    if (would_block(f, flags))
      return Err(-EAGAIN);
    if (int r = sched::wait(s->readq, sched::kNoDeadline, "receive on an empty socket"); r < 0)
      return Err(r);
  }
}

// Ends s's side of its connection (the peer sees end of file, or `error` first) and frees s.
void close_endpoint(LocalSocket* s, int error) {
  if (LocalSocket* peer = s->peer) {
    peer->peer = nullptr;
    if (peer->type() != kSockDgram)
      peer->shut = kShutRead | kShutWrite; // the connection is over
    if (error)
      peer->error = error;
    sched::wake_all(peer->readq);
    sched::wake_all(peer->writeq);
    announce(peer->gen, kEpollIn | kEpollOut | kEpollHup | (error ? kEpollErr : 0));
  }
  s->~LocalSocket();
  kfree(s);
}

} // namespace

ErrorOr<size_t> LocalSocket::send(File& f, const IoVector& io, int flags,
                                  UserPtr<const void> user_addr, uint64_t addr_len) {
  if (!user_addr.is_null() && addr_len)
    return send_with_address(f, this, user_addr, addr_len, io, flags);
  if (flags & kMsgOob)
    return Err(-EOPNOTSUPP);
  if (type() == kSockDgram && !connected && has_target)
    return send_to_name(f, this, target_key, io, flags);
  return message_based(this) ? send_message(f, this, io, flags) : send_stream(f, this, io, flags);
}

ErrorOr<size_t> LocalSocket::receive(File& f, const IoVector& io, int flags, int* msg_flags,
                                     SocketAddress* from) {
  if (flags & kMsgOob)
    return Err(-EOPNOTSUPP);
  from->len = 0;
  return message_based(this) ? recv_message(f, this, io, flags, msg_flags, from)
                             : recv_stream(f, this, io, flags);
}

Readiness LocalSocket::readiness() {
  Readiness r{0, gen.in, gen.out};
  if (listening) {
    if (pending)
      r.events |= kEpollIn;
    return r;
  }
  if (error)
    r.events |= kEpollErr;
  if (message_based(this) ? rx_messages != 0 : !rx.empty())
    r.events |= kEpollIn;
  if (shut & kShutRead)
    r.events |= kEpollIn | kEpollRdHup;
  if (shut == (kShutRead | kShutWrite))
    r.events |= kEpollHup;
  // Writable when a send would not wait (it may fail instead: EPIPE, ENOTCONN).
  if (!peer || (shut & kShutWrite) || peer->rx.space() > kHeader)
    r.events |= kEpollOut;
  return r;
}

// FIONREAD (SIOCINQ): the bytes a read would return -- everything queued on a stream, the
// next datagram's length otherwise.
ErrorOr<long> LocalSocket::ioctl(unsigned long request, uint64_t arg) {
  constexpr unsigned long kFionread = 0x541B;
  if (request != kFionread)
    return Err(-ENOTTY);
  uint32_t len = 0;
  if (!message_based(this))
    len = static_cast<uint32_t>(rx.size());
  else if (rx_messages) {
    rx.peek(0, &len, kHeader);
    len &= kLengthMask;
  }
  int n = static_cast<int>(len);
  TRY(copy_to_user(UserPtr<int>(arg), &n));
  return 0L;
}

void LocalSocket::close() {
  if (bound)
    g_names.remove(this);
  // Connections the listener never accepted are reset, as on Linux.
  while (LocalSocket* p = pending) {
    pending = p->next_pending;
    close_endpoint(p, ECONNRESET);
  }
  if (listening)
    sched::wake_all(g_backlog_waiters);
  if (bound && type() == kSockDgram)
    sched::wake_all(g_datagram_waiters); // senders waiting for its room: ECONNREFUSED now
  close_endpoint(this, 0);
}

Status LocalSocket::shutdown(int how) {
  if (!connected)
    return Err(-ENOTCONN);
  int mode = how + 1;
  shut |= mode;
  if (peer && peer->type() != kSockDgram) {
    // What this end stops receiving the peer stops sending, and the other way round.
    peer->shut |= (mode & kShutRead ? kShutWrite : 0) | (mode & kShutWrite ? kShutRead : 0);
  }
  LocalSocket* both[2] = {this, peer};
  for (LocalSocket* x : both) {
    if (!x)
      continue;
    sched::wake_all(x->readq);
    sched::wake_all(x->writeq);
    announce(x->gen, kEpollIn | kEpollOut | kEpollHup);
  }
  return status_ok();
}

// ---- options ----
namespace {
constexpr int kSolSocket = 1;
constexpr int kSoReuseaddr = 2, kSoError = 4, kSoDontroute = 5, kSoBroadcast = 6, kSoSndbuf = 7,
              kSoRcvbuf = 8, kSoKeepalive = 9, kSoPasscred = 16, kSoAcceptconn = 30,
              kSoProtocol = 38;
} // namespace

ErrorOr<int> LocalSocket::get_option(int level, int option) {
  if (level != kSolSocket)
    return Err(-EOPNOTSUPP);
  switch (option) {
  case kSoError:
    return take_error(this); // a reset connection, cleared by reading it
  case kSoSndbuf:
    return static_cast<int>(sndbuf);
  case kSoRcvbuf:
    return static_cast<int>(rcvbuf);
  case kSoProtocol:
    return 0;
  case kSoAcceptconn:
    return listening ? 1 : 0;
  case kSoReuseaddr:
  case kSoKeepalive:
  case kSoPasscred:
  case kSoDontroute:
  case kSoBroadcast:
    return 0;
  default:
    return Err(-ENOPROTOOPT);
  }
}

Status LocalSocket::set_option(int level, int option, UserPtr<const void> user_value,
                               uint64_t len) {
  if (level != kSolSocket)
    return Err(-EOPNOTSUPP);
  if (static_cast<int>(len) < 4) // an int as Linux reads optlen
    return Err(-EINVAL);
  int32_t value = TRY(copy_from_user(user_value.as<int32_t>()));
  switch (option) {
  case kSoSndbuf:
  case kSoRcvbuf: {
    // Linux doubles the request (bookkeeping overhead), capped by wmem_max/rmem_max and
    // floored by its minimum; here it is recorded and reported only.
    uint32_t want = value < 0 ? 0 : static_cast<uint32_t>(value);
    if (want > kBufferSize)
      want = kBufferSize;
    uint32_t min = option == kSoSndbuf ? 4608 : 2304;
    uint32_t set = want * 2 < min ? min : want * 2;
    (option == kSoSndbuf ? sndbuf : rcvbuf) = set;
    return status_ok();
  }
  case kSoReuseaddr:
  case kSoKeepalive:
  case kSoPasscred:
  case kSoDontroute:
  case kSoBroadcast:
    return status_ok(); // accepted; nothing they change exists here
  default:
    return Err(-ENOPROTOOPT);
  }
}

// ---- the family ----
namespace {

Status check_type(int type, int protocol) {
  if (type != kSockStream && type != kSockDgram && type != kSockSeqpacket)
    return Err(-kEsocktnosupport);
  if (protocol != 0 && protocol != kAfUnix)
    return Err(-EPROTONOSUPPORT);
  return status_ok();
}

ErrorOr<Socket*> create_local(int type, int protocol) {
  TRY(check_type(type, protocol));
  LocalSocket* s = new_socket(type);
  if (!s)
    return Err(-ENOMEM);
  return static_cast<Socket*>(s);
}

Status create_local_pair(int type, int protocol, Socket* pair[2]) {
  TRY(check_type(type, protocol));
  LocalSocket* s0 = new_socket(type);
  LocalSocket* s1 = s0 ? new_socket(type) : nullptr;
  if (!s1) {
    if (s0)
      s0->close();
    return Err(-ENOMEM);
  }
  s0->peer = s1, s1->peer = s0;
  s0->connected = s1->connected = true;
  pair[0] = s0;
  pair[1] = s1;
  return status_ok();
}

} // namespace

const SocketFamily kLocalFamily{kAfUnix, create_local, create_local_pair};

} // namespace unix::afunix
