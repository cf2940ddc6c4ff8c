// Sockets of every address family behind one interface. A socket file (FileKind::kSocket,
// kSocketFileOps) holds a Socket; the socket syscalls (sys_socket.cc) check the descriptor,
// fetch vectors and copy addresses, and leave everything the family decides to the
// Socket's virtual methods. socket() and socketpair() find the family in the registry
// (socket_families.cc); a family that is not registered is EAFNOSUPPORT, as on Linux.
//
// Families today: AF_UNIX (LocalSocket, local_socket.h), AF_INET and AF_INET6 (TCP and UDP
// over the kernel's network stack, inet/inet_socket.h), AF_NETLINK (NETLINK_ROUTE's
// interface, address and route dumps, netlink/netlink_socket.h).
//
// Socket is a class with virtual methods (like block::Device) rather than a FileOps-style
// table: each family keeps its own per-socket state, and the interface is wide.
#pragma once

#include "lib/errno.h"
#include "lib/error_or.h"
#include "unix/events/epoll_interest.h"
#include "unix/fd/file.h"
#include "unix/fd/file_ops.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

// Address families (Linux's AF_*).
constexpr int kAfUnix = 1, kAfInet = 2, kAfInet6 = 10, kAfNetlink = 16;
constexpr int kAfMax = 46; // Linux's AF_MAX: domains at or above it are EAFNOSUPPORT too

// Flags of socket()'s type and accept4()'s flags; the low bits of type are the base type.
constexpr int kSockTypeMask = 0xF;
constexpr int kSockNonblock = 04000, kSockCloexec = 02000000; // O_NONBLOCK, O_CLOEXEC
// send/recv flags.
constexpr int kMsgOob = 1, kMsgPeek = 2, kMsgTrunc = 0x20, kMsgDontwait = 0x40, kMsgWaitall = 0x100,
              kMsgNosignal = 0x4000;
constexpr int kSigPipe = 13;

// A socket address as user space sees it (struct sockaddr_storage: at most 128 bytes).
struct SocketAddress {
  uint32_t len = 0;
  uint8_t bytes[128] = {};
};

class Socket {
public:
  Socket(int domain, int type) : domain_(domain), type_(type) {}
  virtual ~Socket() = default;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int domain() const { return domain_; }
  int type() const { return type_; } // base type: SOCK_STREAM, SOCK_DGRAM ...

  // bind/listen/connect with the user's address (len bytes at user_addr). connect may wait
  // (unless `file` is nonblocking).
  virtual Status bind(UserPtr<const void> user_addr, uint64_t len) = 0;
  virtual Status listen(int backlog) = 0;
  virtual Status connect(File& file, UserPtr<const void> user_addr, uint64_t len) = 0;
  // accept, in two steps so a fault on the caller's address buffer loses no connection:
  // the oldest connection waiting on this listener (waiting for one unless `listener` is
  // nonblocking), still queued; then take_connection removes it once it has a descriptor.
  virtual ErrorOr<Socket*> next_connection(File& listener) = 0;
  virtual void take_connection(Socket* connection) = 0;

  // getsockname / getpeername (-ENOTCONN when there is no peer).
  virtual SocketAddress local_address() const = 0;
  virtual ErrorOr<SocketAddress> peer_address() const = 0;
  // The family's address that names nothing (what accept reports for a peer that is gone).
  virtual SocketAddress unnamed_address() const = 0;

  // Sends the vector; user_addr (null: none) is sendto's/sendmsg's destination.
  virtual ErrorOr<size_t> send(File& file, const IoVector& io, int flags,
                               UserPtr<const void> user_addr, uint64_t addr_len) = 0;
  // sendfile's destination: sends `len` bytes of kernel memory (a file's contents), as
  // send() would with no flags. -EINVAL (the default) for families that cannot, which is
  // what Linux says for files sendfile cannot write to.
  virtual ErrorOr<size_t> send_kernel(File& file, const uint8_t* bytes, size_t len) {
    return Err(-EINVAL);
  }
  // Receives into the vector; *msg_flags gets MSG_TRUNC and such, *from the sender's address
  // (len 0 when it has none).
  virtual ErrorOr<size_t> receive(File& file, const IoVector& io, int flags, int* msg_flags,
                                  SocketAddress* from) = 0;
  // shutdown(how), how already checked to be SHUT_RD, SHUT_WR or SHUT_RDWR.
  virtual Status shutdown(int how) = 0;

  // getsockopt of an integer option (level, name), except SOL_SOCKET's SO_DOMAIN and
  // SO_TYPE, which the generic layer answers. -EOPNOTSUPP for a level, -ENOPROTOOPT for a
  // name the family does not know.
  virtual ErrorOr<int> get_option(int level, int name) = 0;
  // getsockopt of an option whose value is not an int (SO_LINGER, SO_RCVTIMEO, TCP_INFO):
  // fills up to kMaxOptionBytes at `out` and returns the length. -ENOPROTOOPT (the
  // default) sends the question to get_option instead.
  static constexpr size_t kMaxOptionBytes = 256;
  virtual ErrorOr<size_t> get_option_bytes(int level, int name, uint8_t* out) {
    return Err(-ENOPROTOOPT);
  }
  // setsockopt with the user's value (len bytes at user_value): the family checks the
  // level first, then the length.
  virtual Status set_option(int level, int name, UserPtr<const void> user_value, uint64_t len) = 0;

  virtual Readiness readiness() = 0;
  // ioctl requests of the family (FIONREAD...). -ENOTTY: none.
  virtual ErrorOr<long> ioctl(unsigned long request, uint64_t arg) = 0;
  // The socket's last descriptor closed: end its connections and free it.
  virtual void close() = 0;

private:
  int domain_;
  int type_;
};

struct SocketFamily {
  int domain;
  // A new socket of base type `type` (flags removed). -ESOCKTNOSUPPORT for a type,
  // -EPROTONOSUPPORT for a protocol the family does not have, -ENOMEM.
  ErrorOr<Socket*> (*create)(int type, int protocol);
  // socketpair: two sockets connected to each other. nullptr: -EOPNOTSUPP (Linux's answer
  // for AF_INET).
  Status (*create_pair)(int type, int protocol, Socket* pair[2]);
};

// The registered family of `domain`, or nullptr (socket_families.cc).
const SocketFamily* find_socket_family(int domain);

// The FileOps of every socket file: read/write/readv/writev are receive/send without flags
// or address; readiness, ioctl and close go to the Socket.
extern const FileOps kSocketFileOps;

// Wraps s in a socket file (open flags O_RDWR plus SOCK_NONBLOCK from flags) at the lowest
// free descriptor. On failure the caller still owns s.
int install_socket_file(Socket* s, int flags);

// The socket behind descriptor fd: -EBADF when it is not open, -ENOTSOCK when it is no
// socket.
ErrorOr<File*> socket_file(int fd);
inline Socket* socket_of(File& f) {
  return static_cast<Socket*>(f.object);
}

// Helpers every family's send and receive use.
// The call must not wait: MSG_DONTWAIT or a non-blocking file.
bool would_block(const File& f, int flags);
// What was moved so far, or the error when nothing was.
ErrorOr<size_t> partial_or(size_t done, int error);
// EPIPE, with SIGPIPE unless MSG_NOSIGNAL.
Err broken_pipe(int flags);

} // namespace unix
