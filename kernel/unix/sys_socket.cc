// AF_UNIX sockets inside the one process: socketpair (SOCK_STREAM, SOCK_DGRAM,
// SOCK_SEQPACKET), socket(AF_UNIX), the data path (send/recv, datagrams by name and the
// sender's name at recvfrom), shutdown, options and closing; names and connections (bind,
// listen, connect, accept) are in sys_socket_names.cc. No SCM_RIGHTS.
// Each endpoint owns a receive ring the peer writes into; datagrams and seqpackets are
// stored as a length word, the sender's address and the bytes, so boundaries survive.
// Blocking waits on the endpoint's own queues (sched::wait), or on g_backlog_waiters and
// g_datagram_waiters, which are never freed, so an endpoint closing never frees a queue
// someone waits on.
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "unix/byte_ring.h"
#include "unix/event_file.h"
#include "unix/linux_abi.h"
#include "unix/process.h"
#include "unix/signal.h"
#include "unix/socket.h"
#include "unix/syscall_handlers.h"

namespace unix {
namespace afunix {

SocketNames g_names;
sched::WaitQueue g_backlog_waiters;
sched::WaitQueue g_datagram_waiters;

Socket* new_socket(int type) {
  auto* s = static_cast<Socket*>(kmalloc(sizeof(Socket) + kBufferSize));
  if (!s)
    return nullptr;
  memset(s, 0, sizeof *s);
  s->name = Address{};
  s->peer_name = Address{};
  s->type = type;
  s->rx.init(reinterpret_cast<uint8_t*>(s + 1), kBufferSize);
  s->sndbuf = s->rcvbuf = kBufferSize;
  return s;
}

File* socket_file(int fd, long* err) {
  File* f = process().files.get(fd);
  *err = !f ? -EBADF : f->kind != FileKind::kSocket ? -ENOTSOCK : 0;
  return *err ? nullptr : f;
}

Socket* socket_of(int fd, long* err) {
  File* f = socket_file(fd, err);
  return f ? static_cast<Socket*>(f->object) : nullptr;
}

int take_error(Socket* s) {
  int e = s->error;
  s->error = 0;
  return e;
}

} // namespace afunix

namespace {
using namespace afunix;

// ---- user I/O vectors ----
struct Iov {
  linux::iovec* v;
  long n;
  size_t total;
};

// Visits the user ranges covering bytes [off, off + n) of the vector; stops at false.
template <typename F> bool for_user_ranges(const Iov& io, size_t off, size_t n, F f) {
  for (long i = 0; i < io.n && n; ++i) {
    size_t len = io.v[i].len;
    if (off >= len) {
      off -= len;
      continue;
    }
    size_t k = len - off < n ? len - off : n;
    if (!f(reinterpret_cast<uint8_t*>(io.v[i].base) + off, k))
      return false;
    n -= k;
    off = 0;
  }
  return true;
}

// Ring bytes from `ring_off` on -> vector bytes [iov_off, iov_off + n). False on a fault.
bool ring_to_iov(const ByteRing& r, size_t ring_off, const Iov& io, size_t iov_off, size_t n) {
  return for_user_ranges(io, iov_off, n, [&](uint8_t* u, size_t k) {
    while (k) {
      ByteSpan s = r.readable(ring_off);
      size_t c = s.len < k ? s.len : k;
      if (c == 0 || copy_to_user(u, s.data, c) < 0)
        return false;
      u += c, k -= c, ring_off += c;
    }
    return true;
  });
}

// Vector bytes [iov_off, iov_off + n) -> appended to the ring (n <= space). False on a
// fault (what was appended stays; the caller may drop it).
bool iov_to_ring(ByteRing& r, const Iov& io, size_t iov_off, size_t n) {
  return for_user_ranges(io, iov_off, n, [&](uint8_t* u, size_t k) {
    while (k) {
      ByteSpan s = r.writable();
      size_t c = s.len < k ? s.len : k;
      if (c == 0 || copy_from_user(s.data, u, c) < 0)
        return false;
      r.commit(c);
      u += c, k -= c;
    }
    return true;
  });
}

// Copies a user iovec array into kernel memory (freed by the caller with kfree).
long fetch_iov(const void* uiov, long count, Iov* io) {
  if (count < 0 || count > kMaxIov)
    return -EINVAL;
  io->n = count;
  io->total = 0;
  io->v = static_cast<linux::iovec*>(kmalloc(static_cast<size_t>(count ? count : 1) * sizeof(linux::iovec)));
  if (!io->v)
    return -ENOMEM;
  if (count && copy_from_user(io->v, uiov, static_cast<size_t>(count) * sizeof(linux::iovec)) < 0) {
    kfree(io->v);
    return -EFAULT;
  }
  for (long i = 0; i < count; ++i) {
    if (io->v[i].len > 0x7FFFF000ull - io->total) { // Linux's MAX_RW_COUNT
      kfree(io->v);
      return -EINVAL;
    }
    io->total += io->v[i].len;
  }
  return 0;
}

// ---- data transfer ----
bool would_block(const File* f, int flags) {
  return (flags & kMsgDontwait) || (f->flags & linux::O_NONBLOCK);
}

long broken_pipe(int flags) {
  if (!(flags & kMsgNosignal))
    raise_process_signal(kSigPipe);
  return -EPIPE;
}

// The peer's ring got data: wake its reader and tell pollers.
void delivered(Socket* to) {
  sched::wake_all(to->readq);
  announce(to->gen, kEpollIn);
}
// Our ring lost data: the peer may write again.
void drained(Socket* s) {
  if (s->peer) {
    sched::wake_all(s->peer->writeq);
    announce(s->peer->gen, kEpollOut);
  }
  if (s->bound && s->type == kSockDgram)
    sched::wake_all(g_datagram_waiters);
}

// Appends one message (with the sender's address, if any) to `to`'s ring, which has room.
// False on a fault in the user's bytes (nothing is left behind).
bool push_message(Socket* to, const Address* from, const Iov& io) {
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

long send_stream(File* f, Socket* s, const Iov& io, int flags) {
  size_t done = 0;
  for (;;) {
    Socket* peer = s->peer;
    if (!s->connected)
      return -ENOTCONN;
    if (!peer || (s->shutdown & kShutWrite))
      return done ? static_cast<long>(done) : broken_pipe(flags);
    if (done == io.total)
      return static_cast<long>(done);
    size_t n = peer->rx.space() < io.total - done ? peer->rx.space() : io.total - done;
    if (n) {
      size_t before = peer->rx.size();
      bool ok = iov_to_ring(peer->rx, io, done, n);
      size_t moved = peer->rx.size() - before;
      done += moved;
      if (moved)
        delivered(peer);
      if (!ok)
        return done ? static_cast<long>(done) : -EFAULT;
      continue;
    }
    if (would_block(f, flags))
      return done ? static_cast<long>(done) : -EAGAIN;
    if (int r = sched::wait(s->writeq, sched::kNoDeadline, "send on a full socket"); r < 0)
      return done ? static_cast<long>(done) : r;
  }
}

long send_message(File* f, Socket* s, const Iov& io, int flags) {
  if (io.total + kHeader > kBufferSize)
    return -EMSGSIZE;
  for (;;) {
    Socket* peer = s->peer;
    if (!s->connected)
      return -ENOTCONN;
    if (!peer)
      return s->type == kSockDgram ? -ECONNREFUSED : broken_pipe(flags);
    if ((s->shutdown & kShutWrite) || (peer->shutdown & kShutRead))
      return broken_pipe(flags);
    if (peer->rx.space() >= kHeader + io.total) {
      if (!push_message(peer, nullptr, io))
        return -EFAULT;
      return static_cast<long>(io.total);
    }
    if (would_block(f, flags))
      return -EAGAIN;
    if (int r = sched::wait(s->writeq, sched::kNoDeadline, "send on a full socket"); r < 0)
      return r;
  }
}

// A datagram to the socket bound to `key`, looked up for every send (it may close).
long send_to_name(File* f, Socket* s, const SocketName& key, const Iov& io, int flags) {
  const Address* from = s->bound ? &s->name : nullptr;
  size_t need = kHeader + (from ? from->len : 0) + io.total;
  if (need > kBufferSize)
    return -EMSGSIZE;
  for (;;) {
    auto* to = static_cast<Socket*>(g_names.find(key));
    if (!to)
      return -ECONNREFUSED;
    if (to->type != kSockDgram)
      return -EPROTOTYPE;
    if (s->shutdown & kShutWrite)
      return broken_pipe(flags);
    if (to->rx.space() >= need)
      return push_message(to, from, io) ? static_cast<long>(io.total) : -EFAULT;
    if (would_block(f, flags))
      return -EAGAIN;
    if (int r = sched::wait(g_datagram_waiters, sched::kNoDeadline, "send to a full socket");
        r < 0)
      return r;
  }
}

long do_send(File* f, const Iov& io, int flags) {
  auto* s = static_cast<Socket*>(f->object);
  if (flags & kMsgOob)
    return -EOPNOTSUPP;
  if (s->type == kSockDgram && !s->connected && s->has_target)
    return send_to_name(f, s, s->target_key, io, flags);
  return message_based(s) ? send_message(f, s, io, flags) : send_stream(f, s, io, flags);
}

// sendto/sendmsg with an address: a datagram to that name; stream and seqpacket sockets
// take none (EISCONN when connected).
long send_with_address(File* f, const void* uaddr, uint64_t len, const Iov& io, int flags) {
  auto* s = static_cast<Socket*>(f->object);
  if (s->type != kSockDgram)
    return s->connected ? -EISCONN : -EOPNOTSUPP;
  if (flags & kMsgOob)
    return -EOPNOTSUPP;
  UnixAddr addr;
  if (long r = read_addr(uaddr, len, &addr); r < 0)
    return r;
  SocketName key;
  Address shown;
  if (long r = resolve_name(addr, len, kSockDgram, &key, &shown); r < 0)
    return r;
  if (!g_names.find(key))
    return nothing_bound(addr, key);
  return send_to_name(f, s, key, io, flags);
}

long recv_stream(File* f, Socket* s, const Iov& io, int flags, int* msg_flags) {
  (void)msg_flags;
  size_t done = 0;
  bool peek = flags & kMsgPeek;
  for (;;) {
    size_t avail = s->rx.size() - (peek ? done : 0);
    if (avail && done < io.total) {
      size_t n = avail < io.total - done ? avail : io.total - done;
      if (!ring_to_iov(s->rx, peek ? done : 0, io, done, n))
        return done ? static_cast<long>(done) : -EFAULT;
      if (!peek) {
        s->rx.consume(n);
        drained(s);
      }
      done += n;
    }
    bool want_more = (flags & kMsgWaitall) && !peek && done < io.total;
    if ((done && !want_more) || io.total == 0)
      return static_cast<long>(done);
    if (s->error && !done)
      return -take_error(s);
    if (s->shutdown & kShutRead)
      return static_cast<long>(done); // end of file
    if (!s->connected)
      return done ? static_cast<long>(done) : -EINVAL;
    if (would_block(f, flags))
      return done ? static_cast<long>(done) : -EAGAIN;
    if (int r = sched::wait(s->readq, sched::kNoDeadline, "receive on an empty socket"); r < 0)
      return done ? static_cast<long>(done) : r;
  }
}

long recv_message(File* f, Socket* s, const Iov& io, int flags, int* msg_flags, Address* from) {
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
        return -EFAULT;
      if (len > io.total)
        *msg_flags |= kMsgTrunc; // the rest of the datagram is discarded
      if (!(flags & kMsgPeek)) {
        s->rx.consume(kHeader + alen + len);
        --s->rx_messages;
        drained(s);
      }
      return static_cast<long>(flags & kMsgTrunc ? len : n);
    }
    if (s->error)
      return -take_error(s);
    if (s->shutdown & kShutRead)
      return 0;
    if (!s->connected && s->type == kSockSeqpacket)
      return -ENOTCONN;
    if (would_block(f, flags))
      return -EAGAIN;
    if (int r = sched::wait(s->readq, sched::kNoDeadline, "receive on an empty socket"); r < 0)
      return r;
  }
}

// `from` (optional) gets the sender's address: len 0 when it has none.
long do_recv(File* f, const Iov& io, int flags, int* msg_flags, Address* from = nullptr) {
  auto* s = static_cast<Socket*>(f->object);
  if (flags & kMsgOob)
    return -EOPNOTSUPP;
  Address ignored;
  if (!from)
    from = &ignored;
  from->len = 0;
  return message_based(s) ? recv_message(f, s, io, flags, msg_flags, from)
                          : recv_stream(f, s, io, flags, msg_flags);
}

long socket_read(File* f, uint8_t* ubuf, size_t len) {
  linux::iovec v{reinterpret_cast<uint64_t>(ubuf), len};
  int msg_flags = 0;
  return do_recv(f, Iov{&v, 1, len}, 0, &msg_flags);
}
long socket_write(File* f, const uint8_t* ubuf, size_t len) {
  linux::iovec v{reinterpret_cast<uint64_t>(ubuf), len};
  return do_send(f, Iov{&v, 1, len}, 0);
}

Readiness socket_readiness(File* f) {
  auto* s = static_cast<Socket*>(f->object);
  Readiness r{0, s->gen.in, s->gen.out};
  if (s->listening) {
    if (s->pending)
      r.events |= kEpollIn;
    return r;
  }
  if (s->error)
    r.events |= kEpollErr;
  if (message_based(s) ? s->rx_messages != 0 : !s->rx.empty())
    r.events |= kEpollIn;
  if (s->shutdown & kShutRead)
    r.events |= kEpollIn | kEpollRdHup;
  if (s->shutdown == (kShutRead | kShutWrite))
    r.events |= kEpollHup;
  Socket* peer = s->peer;
  // Writable when a send would not wait (it may fail instead: EPIPE, ENOTCONN).
  if (!peer || (s->shutdown & kShutWrite) || peer->rx.space() > kHeader)
    r.events |= kEpollOut;
  return r;
}

// FIONREAD (SIOCINQ): the bytes a read would return -- everything queued on a stream, the
// next datagram's length otherwise.
long socket_ioctl(File* f, unsigned long req, uint64_t arg) {
  constexpr unsigned long kFionread = 0x541B;
  if (req != kFionread)
    return -ENOTTY;
  auto* s = static_cast<Socket*>(f->object);
  uint32_t len = 0;
  if (!message_based(s))
    len = static_cast<uint32_t>(s->rx.size());
  else if (s->rx_messages) {
    s->rx.peek(0, &len, kHeader);
    len &= kLengthMask;
  }
  int n = static_cast<int>(len);
  return copy_to_user(reinterpret_cast<void*>(arg), &n, sizeof n) < 0 ? -EFAULT : 0;
}

// Ends s's side of its connection (the peer sees end of file, or `error` first) and frees s.
void close_endpoint(Socket* s, int error) {
  if (Socket* peer = s->peer) {
    peer->peer = nullptr;
    if (peer->type != kSockDgram)
      peer->shutdown = kShutRead | kShutWrite; // the connection is over
    if (error)
      peer->error = error;
    sched::wake_all(peer->readq);
    sched::wake_all(peer->writeq);
    announce(peer->gen, kEpollIn | kEpollOut | kEpollHup | (error ? kEpollErr : 0));
  }
  kfree(s);
}

void socket_release(File* f) {
  auto* s = static_cast<Socket*>(f->object);
  if (s->bound)
    g_names.remove(s);
  // Connections the listener never accepted are reset, as on Linux.
  while (Socket* p = s->pending) {
    s->pending = p->next_pending;
    close_endpoint(p, ECONNRESET);
  }
  if (s->listening)
    sched::wake_all(g_backlog_waiters);
  if (s->bound && s->type == kSockDgram)
    sched::wake_all(g_datagram_waiters); // senders waiting for its room: ECONNREFUSED now
  close_endpoint(s, 0);
}

// ---- creation ----
long check_type(int family, int type, int protocol, int* base) {
  if (family != kAfUnix)
    return -EAFNOSUPPORT;
  if (type & ~(0xF | kSockNonblock | kSockCloexec))
    return -EINVAL;
  *base = type & 0xF;
  if (*base != kSockStream && *base != kSockDgram && *base != kSockSeqpacket)
    return -kEsocktnosupport;
  if (protocol != 0 && protocol != kAfUnix)
    return -EPROTONOSUPPORT;
  return 0;
}

} // namespace

SyscallResult sys_socket(const SyscallArgs& a) {
  int type = a.i(1), base;
  if (long r = check_type(a.i(0), type, a.i(2), &base); r < 0)
    return r;
  Socket* s = new_socket(base);
  if (!s)
    return -ENOMEM;
  int fd = install_object_file(FileKind::kSocket, s, linux::O_RDWR | (type & kSockNonblock),
                               type & kSockCloexec);
  if (fd < 0)
    kfree(s);
  return fd;
}

SyscallResult sys_socketpair(const SyscallArgs& a) {
  int type = a.i(1), base;
  if (long r = check_type(a.i(0), type, a.i(2), &base); r < 0)
    return r;
  Socket* s0 = new_socket(base);
  Socket* s1 = s0 ? new_socket(base) : nullptr;
  if (!s1) {
    kfree(s0);
    return -ENOMEM;
  }
  s0->peer = s1, s1->peer = s0;
  s0->connected = s1->connected = true;
  int flags = linux::O_RDWR | (type & kSockNonblock);
  bool cloexec = type & kSockCloexec;
  int fds[2];
  fds[0] = install_object_file(FileKind::kSocket, s0, flags, cloexec);
  if (fds[0] < 0) {
    kfree(s0);
    kfree(s1);
    return fds[0];
  }
  fds[1] = install_object_file(FileKind::kSocket, s1, flags, cloexec);
  if (fds[1] < 0) {
    process().files.close(fds[0]);
    kfree(s1);
    return fds[1];
  }
  if (copy_to_user(a.p<void>(3), fds, sizeof fds) < 0) {
    process().files.close(fds[0]);
    process().files.close(fds[1]);
    return -EFAULT;
  }
  return 0;
}

// ---- send/recv family ----
SyscallResult sys_sendto(const SyscallArgs& a) {
  long err;
  File* f = socket_file(a.i(0), &err);
  if (!f)
    return err;
  FileRef hold(f); // may block: keep the socket if another thread closes it
  linux::iovec v{a.u(1), a.u(2)};
  if (a.a[4] && a.u(5))
    return send_with_address(f, a.p<const void>(4), a.u(5), Iov{&v, 1, a.u(2)}, a.i(3));
  return do_send(f, Iov{&v, 1, a.u(2)}, a.i(3));
}

SyscallResult sys_recvfrom(const SyscallArgs& a) {
  long err;
  File* f = socket_file(a.i(0), &err);
  if (!f)
    return err;
  FileRef hold(f); // may block: keep the socket if another thread closes it
  linux::iovec v{a.u(1), a.u(2)};
  int msg_flags = 0;
  Address from;
  long r = do_recv(f, Iov{&v, 1, a.u(2)}, a.i(3), &msg_flags, &from);
  if (r >= 0 && a.a[4] && a.a[5]) {
    if (long e = put_addr(from, a.p<void>(4), a.p<int32_t>(5)); e < 0)
      return e;
  }
  return r;
}

namespace {

struct MsgHdr {
  uint64_t name;
  uint32_t namelen, pad0;
  uint64_t iov, iovlen, control, controllen;
  int32_t flags, pad1;
};
static_assert(sizeof(MsgHdr) == 56);

} // namespace

SyscallResult sys_sendmsg(const SyscallArgs& a) {
  long err;
  File* f = socket_file(a.i(0), &err);
  if (!f)
    return err;
  FileRef hold(f); // may block: keep the socket if another thread closes it
  MsgHdr m;
  if (copy_from_user(&m, a.p<const void>(1), sizeof m) < 0)
    return -EFAULT;
  if (m.controllen)
    return -EOPNOTSUPP; // no SCM_RIGHTS/SCM_CREDENTIALS
  Iov io;
  if (long r = fetch_iov(reinterpret_cast<const void*>(m.iov), static_cast<long>(m.iovlen), &io); r < 0)
    return r;
  long r = m.name && m.namelen
               ? send_with_address(f, reinterpret_cast<const void*>(m.name), m.namelen, io, a.i(2))
               : do_send(f, io, a.i(2));
  kfree(io.v);
  return r;
}

SyscallResult sys_recvmsg(const SyscallArgs& a) {
  long err;
  File* f = socket_file(a.i(0), &err);
  if (!f)
    return err;
  FileRef hold(f); // may block: keep the socket if another thread closes it
  MsgHdr m;
  if (copy_from_user(&m, a.p<const void>(1), sizeof m) < 0)
    return -EFAULT;
  Iov io;
  if (long r = fetch_iov(reinterpret_cast<const void*>(m.iov), static_cast<long>(m.iovlen), &io); r < 0)
    return r;
  int msg_flags = 0;
  Address from;
  long r = do_recv(f, io, a.i(2), &msg_flags, &from);
  kfree(io.v);
  if (r < 0)
    return r;
  if (m.name && m.namelen) {
    size_t n = m.namelen < from.len ? m.namelen : from.len;
    if (n && copy_to_user(reinterpret_cast<void*>(m.name), from.bytes, n) < 0)
      return -EFAULT;
  }
  m.namelen = from.len; // 0: the sender has no name
  m.controllen = 0;     // no ancillary data
  m.flags = msg_flags;
  if (copy_to_user(a.p<void>(1), &m, sizeof m) < 0)
    return -EFAULT;
  return r;
}

SyscallResult sys_shutdown(const SyscallArgs& a) {
  long err;
  Socket* s = socket_of(a.i(0), &err);
  if (!s)
    return err;
  int how = a.i(1);
  if (how < 0 || how > 2)
    return -EINVAL;
  if (!s->connected)
    return -ENOTCONN;
  int mode = how + 1;
  s->shutdown |= mode;
  Socket* peer = s->peer;
  if (peer && peer->type != kSockDgram) {
    // What this end stops receiving the peer stops sending, and the other way round.
    peer->shutdown |= (mode & kShutRead ? kShutWrite : 0) | (mode & kShutWrite ? kShutRead : 0);
  }
  Socket* both[2] = {s, peer};
  for (Socket* x : both) {
    if (!x)
      continue;
    sched::wake_all(x->readq);
    sched::wake_all(x->writeq);
    announce(x->gen, kEpollIn | kEpollOut | kEpollHup);
  }
  return 0;
}

namespace {

// ---- options ----
constexpr int kSolSocket = 1;
constexpr int kSoReuseaddr = 2, kSoType = 3, kSoError = 4, kSoDontroute = 5, kSoBroadcast = 6,
              kSoSndbuf = 7, kSoRcvbuf = 8, kSoKeepalive = 9, kSoPasscred = 16,
              kSoAcceptconn = 30, kSoProtocol = 38, kSoDomain = 39;

} // namespace

SyscallResult sys_getsockopt(const SyscallArgs& a) {
  long err;
  Socket* s = socket_of(a.i(0), &err);
  if (!s)
    return err;
  if (a.i(1) != kSolSocket)
    return -EOPNOTSUPP;
  int32_t len;
  if (copy_from_user(&len, a.p<const void>(4), sizeof len) < 0)
    return -EFAULT;
  if (len < 0)
    return -EINVAL;
  int32_t v;
  switch (a.i(2)) {
  case kSoType: v = s->type; break;
  case kSoError: v = take_error(s); break; // a reset connection, cleared by reading it
  case kSoSndbuf: v = static_cast<int32_t>(s->sndbuf); break;
  case kSoRcvbuf: v = static_cast<int32_t>(s->rcvbuf); break;
  case kSoDomain: v = kAfUnix; break;
  case kSoProtocol: v = 0; break;
  case kSoAcceptconn: v = s->listening; break;
  case kSoReuseaddr: case kSoKeepalive: case kSoPasscred: case kSoDontroute: case kSoBroadcast:
    v = 0;
    break;
  default:
    return -ENOPROTOOPT;
  }
  int32_t n = len < 4 ? len : 4;
  if (copy_to_user(a.p<void>(3), &v, static_cast<size_t>(n)) < 0 ||
      copy_to_user(a.p<void>(4), &n, sizeof n) < 0)
    return -EFAULT;
  return 0;
}

SyscallResult sys_setsockopt(const SyscallArgs& a) {
  long err;
  Socket* s = socket_of(a.i(0), &err);
  if (!s)
    return err;
  if (a.i(1) != kSolSocket)
    return -EOPNOTSUPP;
  if (a.i(4) < 4)
    return -EINVAL;
  int32_t v;
  if (copy_from_user(&v, a.p<const void>(3), sizeof v) < 0)
    return -EFAULT;
  switch (a.i(2)) {
  case kSoSndbuf:
  case kSoRcvbuf: {
    // Linux doubles the request (bookkeeping overhead), capped by wmem_max/rmem_max and
    // floored by its minimum; here it is recorded and reported only.
    uint32_t want = v < 0 ? 0 : static_cast<uint32_t>(v);
    if (want > kBufferSize)
      want = kBufferSize;
    uint32_t min = a.i(2) == kSoSndbuf ? 4608 : 2304;
    uint32_t set = want * 2 < min ? min : want * 2;
    (a.i(2) == kSoSndbuf ? s->sndbuf : s->rcvbuf) = set;
    return 0;
  }
  case kSoReuseaddr: case kSoKeepalive: case kSoPasscred: case kSoDontroute: case kSoBroadcast:
    return 0; // accepted; nothing they change exists here
  default:
    return -ENOPROTOOPT;
  }
}

const ObjectOps kSocketOps{socket_read, socket_write, socket_readiness, socket_release,
                           0140000 | 0777, socket_ioctl};

long socket_vector_io(File* f, const void* uiov, long count, bool write) {
  Iov io;
  if (long r = fetch_iov(uiov, count, &io); r < 0)
    return r;
  int msg_flags = 0;
  long r = write ? do_send(f, io, 0) : do_recv(f, io, 0, &msg_flags);
  kfree(io.v);
  return r;
}

} // namespace unix
