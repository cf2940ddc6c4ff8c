// The AF_UNIX socket object shared by the data path (sys_socket.cc) and names and
// connections (sys_socket_names.cc): one process, so sockets are plain kernel objects
// reached through their files. Internal to those two files.
#pragma once

#include "sched/wait.h"
#include "unix/byte_ring.h"
#include "unix/event_file.h"
#include "unix/file.h"
#include "unix/linux_abi.h"
#include "unix/socket_names.h"

#include <stddef.h>
#include <stdint.h>

namespace unix::afunix {

constexpr int kAfUnix = 1;
constexpr int kSockStream = 1, kSockDgram = 2, kSockSeqpacket = 5;
constexpr int kSockNonblock = linux::O_NONBLOCK, kSockCloexec = linux::O_CLOEXEC;
constexpr int kEsocktnosupport = 94;
constexpr int kMsgOob = 1, kMsgPeek = 2, kMsgTrunc = 0x20, kMsgDontwait = 0x40, kMsgWaitall = 0x100,
              kMsgNosignal = 0x4000;
constexpr int kShutRead = 1, kShutWrite = 2; // shutdown(how) + 1
constexpr int kSigPipe = 13;
// Linux's default socket buffer (net.core.wmem_default); also each endpoint's ring size.
constexpr size_t kBufferSize = 212992;
// A message in the ring: a u32 of its length (low 24 bits) and the length of the sender's
// address (high 8 bits, 0: unnamed), the address, then the bytes.
constexpr size_t kHeader = 4;
constexpr uint32_t kLengthMask = 0xFFFFFF;
constexpr long kMaxIov = 1024;

// A sockaddr_un as it goes to user space: the family, then the name.
struct Address {
  uint32_t len = 2;            // 2: unnamed (the family only)
  uint8_t bytes[112] = {1, 0}; // family, sun_path and the terminator a full path gets
};

struct Socket {
  int type;
  bool connected; // by socketpair, connect or accept (so a missing peer means it was closed)
  int shutdown;   // kShutRead/kShutWrite in effect on this end
  Socket* peer;   // nullptr once the peer is closed
  ByteRing rx;    // what the peer sent
  size_t rx_messages;
  uint32_t sndbuf, rcvbuf; // as reported by getsockopt (the ring does not resize)
  sched::WaitQueue readq;  // waiting for data in rx
  sched::WaitQueue writeq; // waiting for room in peer->rx
  EventGen gen;
  int error; // reported once by the next receive that finds no data
  bool bound, listening;
  uint32_t backlog; // pending connections a listener holds (listen's backlog + 1)
  uint32_t pending_count;
  Socket* pending; // a listener's endpoints waiting for accept, oldest first
  Socket* pending_tail;
  Socket* next_pending;
  Address name;      // bound, or an accepted socket's: its listener's
  Address peer_name; // a connecting socket's: the listener's; a datagram one's target
  bool has_target;   // a datagram socket connected to a name: target_key
  SocketName target_key;
};

extern SocketNames g_names;
extern sched::WaitQueue g_backlog_waiters;  // connects waiting for room in a listener's queue
extern sched::WaitQueue g_datagram_waiters; // sends by name waiting for room at the receiver

inline bool message_based(const Socket* s) {
  return s->type != kSockStream;
}

// A fresh endpoint with its ring (nullptr: out of memory).
Socket* new_socket(int type);
// The socket file fd, or nullptr with *err = -EBADF / -ENOTSOCK.
File* socket_file(int fd, long* err);
// Its socket (the same errors).
Socket* socket_of(int fd, long* err);
// The pending error (a reset connection), cleared: what the next receive or SO_ERROR
// reports once.
int take_error(Socket* s);

// ---- addresses (sys_socket_names.cc) ----
// A sockaddr_un from user space, NUL-terminated one byte past sun_path.
struct UnixAddr {
  uint16_t family;
  char path[109];
};
// Reads a sockaddr_un of len bytes (2..110, family AF_UNIX): -EINVAL / -EFAULT.
long read_addr(const void* uaddr, uint64_t len, UnixAddr* a);
// The registry key for a name and the address getsockname reports for it: an abstract
// name as given, a path up to its NUL (Linux's canonical length). A path's directory must
// exist: -ENOENT / -ENOTDIR otherwise.
long resolve_name(const UnixAddr& a, uint64_t len, int type, SocketName* key, Address* shown);
// What connect or a send by name fails with when nothing is bound to key, as on Linux:
// ENOENT when the path names nothing, ECONNREFUSED when it names something (or the name is
// abstract). glibc probes nscd's socket this way.
long nothing_bound(const UnixAddr& addr, const SocketName& key);
// Copies an address out as getsockname/accept do: truncated to the caller's length, which
// is then set to the full one.
long put_addr(const Address& addr, void* uaddr, int32_t* ulen);

} // namespace unix::afunix
