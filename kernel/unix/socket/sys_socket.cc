// The socket syscalls for every family (socket.h): socket and socketpair find the family
// in the registry; the others check the descriptor, hold the file while a call may block,
// fetch vectors and message headers, copy addresses out, and leave the rest to the
// Socket. SOL_SOCKET's SO_DOMAIN and SO_TYPE are answered here from the socket itself.
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "unix/fd/event_file.h"
#include "unix/fd/io_vector.h"
#include "unix/process/process.h"
#include "unix/socket/socket.h"
#include "unix/syscall/linux_abi.h"
#include "unix/syscall/syscall_handlers.h"

#include <stddef.h>

namespace unix {
namespace {

// Copies an address out as getsockname/accept/recvfrom do: truncated to the caller's
// length, which is then set to the full one.
Status put_addr(const SocketAddress& addr, UserPtr<void> uaddr, UserPtr<int32_t> ulen) {
  int32_t len = TRY(copy_from_user(ulen));
  if (len < 0)
    return Err(-EINVAL);
  size_t n = static_cast<uint32_t>(len) < addr.len ? static_cast<size_t>(len) : addr.len;
  if (n)
    TRY(copy_to_user(uaddr, addr.bytes, n));
  auto full = static_cast<int32_t>(addr.len);
  return copy_to_user(ulen, &full);
}

// socket()/socketpair(): the family and the flags of `type`; the base type is in *base.
ErrorOr<const SocketFamily*> family_and_type(int domain, int type, int* base) {
  const SocketFamily* family = find_socket_family(domain);
  if (!family)
    return Err(-EAFNOSUPPORT);
  if (type & ~(kSockTypeMask | kSockNonblock | kSockCloexec))
    return Err(-EINVAL);
  *base = type & kSockTypeMask;
  return family;
}

} // namespace

// ---- creation ----
SyscallResult sys_socket(const SyscallArgs& a) {
  int type = a.i(1), base;
  const SocketFamily* family = TRY(family_and_type(a.i(0), type, &base));
  Socket* s = TRY(family->create(base, a.i(2)));
  int fd = install_socket_file(s, type);
  if (fd < 0) {
    s->close();
    return Err(fd);
  }
  return fd;
}

SyscallResult sys_socketpair(const SyscallArgs& a) {
  int type = a.i(1), base;
  const SocketFamily* family = TRY(family_and_type(a.i(0), type, &base));
  if (!family->create_pair)
    return Err(-EOPNOTSUPP);
  Socket* pair[2];
  TRY(family->create_pair(base, a.i(2), pair));
  int fds[2];
  fds[0] = install_socket_file(pair[0], type);
  if (fds[0] < 0) {
    pair[0]->close();
    pair[1]->close();
    return Err(fds[0]);
  }
  fds[1] = install_socket_file(pair[1], type);
  if (fds[1] < 0) {
    process().files.close(fds[0]);
    pair[1]->close();
    return Err(fds[1]);
  }
  if (!copy_to_user(a.user<int>(3), fds, 2).ok()) {
    process().files.close(fds[0]);
    process().files.close(fds[1]);
    return Err(-EFAULT);
  }
  return 0L;
}

// ---- names and connections ----
SyscallResult sys_bind(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  TRY(socket_of(*f)->bind(a.user<const void>(1), a.u(2)));
  return 0L;
}

SyscallResult sys_listen(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  TRY(socket_of(*f)->listen(a.i(1)));
  return 0L;
}

SyscallResult sys_connect(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  FileRef hold(f); // may block: keep the socket if another thread closes it
  TRY(socket_of(*f)->connect(*f, a.user<const void>(1), a.u(2)));
  return 0L;
}

namespace {

SyscallResult do_accept(const SyscallArgs& a, int flags) {
  File* f = TRY(socket_file(a.i(0)));
  if (flags & ~(kSockNonblock | kSockCloexec))
    return Err(-EINVAL);
  FileRef hold(f); // may block: keep the socket if another thread closes it
  Socket* listener = socket_of(*f);
  Socket* connection = TRY(listener->next_connection(*f));
  if (!a.user<void>(1).is_null()) {
    // The connecting socket's name (unnamed unless it was bound too, or gone).
    ErrorOr<SocketAddress> peer = connection->peer_address();
    TRY(put_addr(peer.ok() ? *peer : connection->unnamed_address(), a.user<void>(1),
                 a.user<int32_t>(2))); // on a fault the connection stays queued
  }
  int fd = install_socket_file(connection, flags);
  if (fd < 0)
    return Err(fd);
  listener->take_connection(connection);
  return fd;
}

} // namespace

SyscallResult sys_accept(const SyscallArgs& a) {
  return do_accept(a, 0);
}
SyscallResult sys_accept4(const SyscallArgs& a) {
  return do_accept(a, a.i(3));
}

SyscallResult sys_getsockname(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  TRY(put_addr(socket_of(*f)->local_address(), a.user<void>(1), a.user<int32_t>(2)));
  return 0L;
}

SyscallResult sys_getpeername(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  SocketAddress peer = TRY(socket_of(*f)->peer_address());
  TRY(put_addr(peer, a.user<void>(1), a.user<int32_t>(2)));
  return 0L;
}

// ---- send/recv family ----
SyscallResult sys_sendto(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  FileRef hold(f); // may block: keep the socket if another thread closes it
  linux::iovec v{a.u(1), a.u(2)};
  UserPtr<const void> to = a.u(4) && a.u(5) ? a.user<const void>(4) : UserPtr<const void>();
  size_t n = TRY(socket_of(*f)->send(*f, IoVector{&v, 1, a.u(2)}, a.i(3), to, a.u(5)));
  return static_cast<long>(n);
}

SyscallResult sys_recvfrom(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  FileRef hold(f); // may block: keep the socket if another thread closes it
  linux::iovec v{a.u(1), a.u(2)};
  int msg_flags = 0;
  SocketAddress from;
  size_t n = TRY(socket_of(*f)->receive(*f, IoVector{&v, 1, a.u(2)}, a.i(3), &msg_flags, &from));
  if (a.u(4) && a.u(5))
    TRY(put_addr(from, a.user<void>(4), a.user<int32_t>(5)));
  return static_cast<long>(n);
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

namespace {

// One sendmsg: the header at umsg, the vectors it names, the socket's send.
ErrorOr<size_t> send_message(File& f, UserPtr<MsgHdr> umsg, int flags) {
  MsgHdr m = TRY(copy_from_user(umsg));
  if (m.controllen)
    return Err(-EOPNOTSUPP); // no SCM_RIGHTS/SCM_CREDENTIALS
  UserIoVector io;
  TRY(io.fetch(UserPtr<const linux::iovec>(m.iov), static_cast<long>(m.iovlen)));
  UserPtr<const void> to(m.name && m.namelen ? m.name : 0);
  return socket_of(f)->send(f, io.vector(), flags, to, m.namelen);
}

// One recvmsg: fills the vectors, the sender's name and the flags of the header at umsg.
ErrorOr<size_t> receive_message(File& f, UserPtr<MsgHdr> umsg, int flags) {
  MsgHdr m = TRY(copy_from_user(umsg));
  UserIoVector io;
  TRY(io.fetch(UserPtr<const linux::iovec>(m.iov), static_cast<long>(m.iovlen)));
  int msg_flags = 0;
  SocketAddress from;
  size_t n = TRY(socket_of(f)->receive(f, io.vector(), flags, &msg_flags, &from));
  if (m.name && m.namelen) {
    size_t len = m.namelen < from.len ? m.namelen : from.len;
    if (len)
      TRY(copy_to_user(UserPtr<void>(m.name), from.bytes, len));
  }
  m.namelen = from.len; // 0: the sender has no name
  m.controllen = 0;     // no ancillary data
  m.flags = msg_flags;
  TRY(copy_to_user(umsg, &m));
  return n;
}

// struct mmsghdr: a msghdr and the byte count of its message.
struct MMsgHdr {
  MsgHdr hdr;
  uint32_t len, pad;
};
static_assert(sizeof(MMsgHdr) == 64);
constexpr unsigned kMaxMessages = 1024; // Linux's UIO_MAXIOV bounds vlen the same way
constexpr int kMsgWaitforone = 0x10000;

} // namespace

SyscallResult sys_sendmsg(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  FileRef hold(f); // may block: keep the socket if another thread closes it
  size_t n = TRY(send_message(*f, a.user<MsgHdr>(1), a.i(2)));
  return static_cast<long>(n);
}

SyscallResult sys_recvmsg(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  FileRef hold(f); // may block: keep the socket if another thread closes it
  size_t n = TRY(receive_message(*f, a.user<MsgHdr>(1), a.i(2)));
  return static_cast<long>(n);
}

// sendmmsg/recvmmsg: one message after another; the count of those done, or the first
// message's error when none was. (recvmmsg's timeout is not applied: each receive waits as
// recvmsg would, MSG_WAITFORONE makes every one after the first non-blocking.)
SyscallResult sys_sendmmsg(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  FileRef hold(f);
  unsigned count = a.u(2) < kMaxMessages ? static_cast<unsigned>(a.u(2)) : kMaxMessages;
  auto vec = a.user<MMsgHdr>(1);
  unsigned done = 0;
  for (; done < count; ++done) {
    UserPtr<MMsgHdr> entry(vec.address() + done * sizeof(MMsgHdr));
    ErrorOr<size_t> n = send_message(*f, UserPtr<MsgHdr>(entry.address()), a.i(3));
    if (!n.ok()) {
      if (done == 0)
        return Err(n.error());
      break;
    }
    auto len = static_cast<uint32_t>(*n);
    TRY(copy_to_user(UserPtr<uint32_t>(entry.address() + offsetof(MMsgHdr, len)), &len));
  }
  return static_cast<long>(done);
}

SyscallResult sys_recvmmsg(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  FileRef hold(f);
  unsigned count = a.u(2) < kMaxMessages ? static_cast<unsigned>(a.u(2)) : kMaxMessages;
  auto vec = a.user<MMsgHdr>(1);
  int flags = a.i(3);
  unsigned done = 0;
  for (; done < count; ++done) {
    UserPtr<MMsgHdr> entry(vec.address() + done * sizeof(MMsgHdr));
    ErrorOr<size_t> n =
        receive_message(*f, UserPtr<MsgHdr>(entry.address()), flags & ~kMsgWaitforone);
    if (!n.ok()) {
      if (done == 0)
        return Err(n.error());
      break;
    }
    auto len = static_cast<uint32_t>(*n);
    TRY(copy_to_user(UserPtr<uint32_t>(entry.address() + offsetof(MMsgHdr, len)), &len));
    if (flags & kMsgWaitforone)
      flags |= kMsgDontwait;
  }
  return static_cast<long>(done);
}

SyscallResult sys_shutdown(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  int how = a.i(1);
  if (how < 0 || how > 2) // SHUT_RD, SHUT_WR, SHUT_RDWR
    return Err(-EINVAL);
  TRY(socket_of(*f)->shutdown(how));
  return 0L;
}

// ---- options ----
namespace {
constexpr int kSolSocket = 1, kSoType = 3, kSoDomain = 39;
} // namespace

// Integer options. The family answers every level but SOL_SOCKET's SO_DOMAIN and SO_TYPE; a
// level other than SOL_SOCKET is its question before the length is even read, as on Linux.
SyscallResult sys_getsockopt(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  Socket* s = socket_of(*f);
  int level = a.i(1), name = a.i(2);
  int32_t v = 0;
  if (!(level == kSolSocket && (name == kSoDomain || name == kSoType))) {
    // Options with a structure for a value (SO_LINGER, SO_RCVTIMEO, TCP_INFO...).
    uint8_t bytes[Socket::kMaxOptionBytes];
    ErrorOr<size_t> size = s->get_option_bytes(level, name, bytes);
    if (size.ok() || size.error() != -ENOPROTOOPT) {
      size_t n = TRY(size);
      int32_t len = TRY(copy_from_user(a.user<int32_t>(4)));
      if (len < 0)
        return Err(-EINVAL);
      int32_t copied = static_cast<size_t>(len) < n ? len : static_cast<int32_t>(n);
      TRY(copy_to_user(a.user<void>(3), bytes, static_cast<size_t>(copied)));
      TRY(copy_to_user(a.user<int32_t>(4), &copied));
      return 0L;
    }
  }
  if (level != kSolSocket)
    v = TRY(s->get_option(level, name));
  int32_t len = TRY(copy_from_user(a.user<int32_t>(4)));
  if (len < 0)
    return Err(-EINVAL);
  if (level == kSolSocket && name == kSoDomain)
    v = s->domain();
  else if (level == kSolSocket && name == kSoType)
    v = s->type();
  else if (level == kSolSocket)
    v = TRY(s->get_option(level, name));
  int32_t n = len < 4 ? len : 4;
  TRY(copy_to_user(a.user<void>(3), &v, static_cast<size_t>(n)));
  TRY(copy_to_user(a.user<int32_t>(4), &n));
  return 0L;
}

SyscallResult sys_setsockopt(const SyscallArgs& a) {
  File* f = TRY(socket_file(a.i(0)));
  TRY(socket_of(*f)->set_option(a.i(1), a.i(2), a.user<const void>(3), a.u(4)));
  return 0L;
}

} // namespace unix
