// AF_UNIX sockets (LocalSocket) inside the one process: the data path, options and
// closing are in local_socket.cc, names and connections in local_socket_names.cc. Internal
// to those two files and the family registry (socket_families.cc); everything else sees a
// Socket (socket.h).
#pragma once

#include "sched/wait.h"
#include "unix/events/byte_ring.h"
#include "unix/fd/event_file.h"
#include "unix/fd/file.h"
#include "unix/syscall/linux_abi.h"
#include "unix/socket/socket.h"
#include "unix/socket/afunix/socket_names.h"

#include <stddef.h>
#include <stdint.h>

namespace unix::afunix {

constexpr int kSockStream = 1, kSockDgram = 2, kSockSeqpacket = 5;
constexpr int kEsocktnosupport = 94;
constexpr int kShutRead = 1, kShutWrite = 2; // shutdown(how) + 1
// Linux's default socket buffer (net.core.wmem_default); also each endpoint's ring size.
constexpr size_t kBufferSize = 212992;
// A message in the ring: a u32 of its length (low 24 bits) and the length of the sender's
// address (high 8 bits, 0: unnamed), the address, then the bytes.
constexpr size_t kHeader = 4;
constexpr uint32_t kLengthMask = 0xFFFFFF;

// A sockaddr_un as it goes to user space: the family, then the name. Unnamed: the family
// only (2 bytes).
SocketAddress unnamed();

class LocalSocket final : public Socket {
public:
  explicit LocalSocket(int type);

  Status bind(UserPtr<const void> user_addr, uint64_t len) override;
  Status listen(int backlog) override;
  Status connect(File& file, UserPtr<const void> user_addr, uint64_t len) override;
  ErrorOr<Socket*> next_connection(File& listener) override;
  void take_connection(Socket* connection) override;
  SocketAddress local_address() const override { return name; }
  ErrorOr<SocketAddress> peer_address() const override;
  SocketAddress unnamed_address() const override { return unnamed(); }
  ErrorOr<size_t> send(File& file, const IoVector& io, int flags, UserPtr<const void> user_addr,
                       uint64_t addr_len) override;
  ErrorOr<size_t> receive(File& file, const IoVector& io, int flags, int* msg_flags,
                          SocketAddress* from) override;
  Status shutdown(int how) override;
  ErrorOr<int> get_option(int level, int name) override;
  Status set_option(int level, int name, UserPtr<const void> user_value, uint64_t len) override;
  Readiness readiness() override;
  ErrorOr<long> ioctl(unsigned long request, uint64_t arg) override;
  void close() override;

  // The state below is shared by the two files of the family.
  bool connected =
      false;    // by socketpair, connect or accept (so a missing peer means it was closed)
  int shut = 0; // kShutRead/kShutWrite in effect on this end
  LocalSocket* peer = nullptr; // nullptr once the peer is closed
  ByteRing rx;                 // what the peer sent
  size_t rx_messages = 0;
  uint32_t sndbuf = kBufferSize,
           rcvbuf = kBufferSize; // as getsockopt reports (the ring does not resize)
  sched::WaitQueue readq;        // waiting for data in rx
  sched::WaitQueue writeq;       // waiting for room in peer->rx
  EventGen gen;
  int error = 0; // reported once by the next receive that finds no data
  bool bound = false, listening = false;
  uint32_t backlog = 0; // pending connections a listener holds (listen's backlog + 1)
  uint32_t pending_count = 0;
  LocalSocket* pending = nullptr; // a listener's endpoints waiting for accept, oldest first
  LocalSocket* pending_tail = nullptr;
  LocalSocket* next_pending = nullptr;
  SocketAddress name;      // bound, or an accepted socket's: its listener's
  SocketAddress peer_name; // a connecting socket's: the listener's; a datagram one's target
  bool has_target = false; // a datagram socket connected to a name: target_key
  SocketName target_key;
};

extern const SocketFamily kLocalFamily;

extern SocketNames g_names;
extern sched::WaitQueue g_backlog_waiters;  // connects waiting for room in a listener's queue
extern sched::WaitQueue g_datagram_waiters; // sends by name waiting for room at the receiver

inline bool message_based(const LocalSocket* s) {
  return s->type() != kSockStream;
}

// A fresh endpoint with its ring (nullptr: out of memory).
LocalSocket* new_socket(int type);
// The pending error (a reset connection), cleared: what the next receive or SO_ERROR
// reports once.
int take_error(LocalSocket* s);

// ---- addresses (local_socket_names.cc) ----
// A sockaddr_un from user space, NUL-terminated one byte past sun_path.
struct UnixAddr {
  uint16_t family;
  char path[109];
};
// Reads a sockaddr_un of len bytes (2..110, family AF_UNIX): -EINVAL / -EFAULT.
Status read_addr(UserPtr<const void> uaddr, uint64_t len, UnixAddr* a);
// The registry key for a name and the address getsockname reports for it: an abstract
// name as given, a path up to its NUL (Linux's canonical length). A path's directory must
// exist: -ENOENT / -ENOTDIR otherwise.
Status resolve_name(const UnixAddr& a, uint64_t len, int type, SocketName* key,
                    SocketAddress* shown);
// What connect or a send by name fails with when nothing is bound to key, as on Linux:
// ENOENT when the path names nothing, ECONNREFUSED when it names something (or the name is
// abstract). glibc probes nscd's socket this way.
int nothing_bound(const UnixAddr& addr, const SocketName& key);

} // namespace unix::afunix
