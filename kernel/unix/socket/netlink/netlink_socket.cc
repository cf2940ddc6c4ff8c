// AF_NETLINK route sockets (netlink_socket.h).
#include "unix/socket/netlink/netlink_socket.h"

#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/new.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "net/host.h"
#include "sched/wait.h"
#include "unix/fd/event_file.h"
#include "unix/process/process.h"
#include "unix/socket/interfaces.h"
#include "unix/socket/netlink/route_replies.h"
#include "unix/syscall/heap_buffer.h"
#include "unix/syscall/linux_abi.h"

namespace unix::netlink {
namespace {

constexpr int kSockDgram = 2, kSockRaw = 3;
constexpr int kNetlinkRoute = 0;
constexpr int kEsocktnosupport = 94;
constexpr int kMsgPeek = 2, kMsgTrunc = 0x20;
constexpr int kSolSocket = 1, kSolNetlink = 270;
constexpr int kSoError = 4, kSoSndbuf = 7, kSoRcvbuf = 8, kSoPasscred = 16, kSoSndbufforce = 32,
              kSoRcvbufforce = 33, kSoProtocol = 38;
// SOL_NETLINK options: ADD/DROP_MEMBERSHIP (1, 2) and the flags up to GET_STRICT_CHK (12).
constexpr int kNetlinkAddMembership = 1, kNetlinkDropMembership = 2, kNetlinkLastOption = 12;
constexpr size_t kSockaddrNlSize = 12;
// Linux's default and bounds for the buffer sizes (reported doubled, as Linux does).
constexpr int kDefaultBuffer = 212992, kMinBuffer = 2304, kMaxBuffer = 8 * 1024 * 1024;
constexpr uint32_t kFirstAutoPort = static_cast<uint32_t>(-4096);

struct SockaddrNl {
  uint16_t family;
  uint16_t pad;
  uint32_t pid;
  uint32_t groups;
};
static_assert(sizeof(SockaddrNl) == kSockaddrNlSize);

// An answer waiting to be read.
struct Datagram {
  Datagram* next;
  size_t len;
  uint8_t bytes[];
};

class NetlinkSocket;
NetlinkSocket* g_bound = nullptr; // every socket with a port id, for uniqueness

class NetlinkSocket final : public Socket, private ReplySink {
public:
  explicit NetlinkSocket(int type) : Socket(kAfNetlink, type) {}

  Status bind(UserPtr<const void> user_addr, uint64_t len) override {
    SockaddrNl a = TRY(read_address(user_addr, len));
    if (port_id_ && a.pid && a.pid != port_id_)
      return Err(-EINVAL); // a bound socket keeps its port id
    if (!port_id_) {
      if (a.pid)
        TRY(claim(a.pid));
      else
        TRY(autobind());
    }
    groups_ = a.groups;
    return status_ok();
  }

  Status listen(int) override { return Err(-EOPNOTSUPP); }

  Status connect(File&, UserPtr<const void> user_addr, uint64_t len) override {
    if (len >= 2) {
      uint16_t family = 0;
      TRY(copy_from_user(&family, user_addr.as<uint16_t>()));
      if (family == 0) { // AF_UNSPEC: back to the kernel as the default destination
        peer_port_ = 0;
        return status_ok();
      }
    }
    SockaddrNl a = TRY(read_address(user_addr, len));
    if (!port_id_)
      TRY(autobind());
    peer_port_ = a.pid;
    return status_ok();
  }

  ErrorOr<Socket*> next_connection(File&) override { return Err(-EOPNOTSUPP); }
  void take_connection(Socket*) override {}

  SocketAddress local_address() const override { return address(port_id_, groups_); }
  ErrorOr<SocketAddress> peer_address() const override { return address(peer_port_, 0); }
  SocketAddress unnamed_address() const override { return address(0, 0); }

  ErrorOr<size_t> send(File&, const IoVector& io, int, UserPtr<const void> user_addr,
                       uint64_t addr_len) override {
    uint32_t destination = peer_port_;
    if (!user_addr.is_null()) {
      SockaddrNl a = TRY(read_address(user_addr, addr_len));
      if (a.groups)
        return Err(-EPERM); // multicast to groups is the kernel's
      destination = a.pid;
    }
    if (destination != 0)
      return Err(-ECONNREFUSED); // no port but the kernel's answers here
    if (io.total > static_cast<size_t>(send_buffer_))
      return Err(-EMSGSIZE);
    if (!port_id_)
      TRY(autobind());
    HeapBuffer request(io.total ? io.total : 1);
    if (!request.ok())
      return Err(-ENOMEM);
    auto* bytes = reinterpret_cast<uint8_t*>(request.data());
    size_t done = 0;
    for (long i = 0; i < io.count; ++i) {
      if (io.v[i].len)
        TRY(copy_from_user(bytes + done, io.base(i), io.v[i].len));
      done += io.v[i].len;
    }
    InterfaceSnapshot snapshot;
    take_interface_snapshot(snapshot);
    if (!answer_requests(snapshot, bytes, io.total, port_id_, *this))
      pending_error_ = -ENOBUFS;
    if (head_ || pending_error_)
      announce_readable();
    return io.total;
  }

  ErrorOr<size_t> receive(File& file, const IoVector& io, int flags, int* msg_flags,
                          SocketAddress* from) override {
    while (!head_) {
      if (int error = take_error())
        return Err(error);
      if ((flags & kMsgDontwait) || (file.flags & linux::O_NONBLOCK))
        return Err(-EAGAIN);
      if (int r = sched::wait(waitq_, sched::kNoDeadline, "netlink receive"))
        return Err(r == -ETIMEDOUT ? -EAGAIN : r);
    }
    Datagram* d = head_;
    size_t copied = 0;
    for (long i = 0; i < io.count && copied < d->len; ++i) {
      size_t n = d->len - copied < io.v[i].len ? d->len - copied : io.v[i].len;
      TRY(copy_to_user(io.base(i), d->bytes + copied, n));
      copied += n;
    }
    if (copied < d->len)
      *msg_flags |= kMsgTrunc;
    *from = address(0, 0);
    size_t full = d->len;
    if (!(flags & kMsgPeek))
      pop();
    return (flags & kMsgTrunc) ? full : copied;
  }

  Status shutdown(int) override { return Err(-EOPNOTSUPP); }

  ErrorOr<int> get_option(int level, int name) override {
    if (level == kSolSocket) {
      switch (name) {
      case kSoSndbuf:
        return send_buffer_;
      case kSoRcvbuf:
        return receive_buffer_;
      case kSoProtocol:
        return kNetlinkRoute;
      case kSoError:
        return -take_error();
      case kSoPasscred:
        return 0;
      default:
        return Err(-ENOPROTOOPT);
      }
    }
    if (level == kSolNetlink) {
      if (name > kNetlinkDropMembership && name <= kNetlinkLastOption)
        return (netlink_flags_ >> name) & 1;
      return Err(-ENOPROTOOPT);
    }
    return Err(-EOPNOTSUPP);
  }

  Status set_option(int level, int name, UserPtr<const void> user_value, uint64_t len) override {
    if (level != kSolSocket && level != kSolNetlink)
      return Err(-ENOPROTOOPT);
    if (len < sizeof(int32_t))
      return Err(-EINVAL);
    int32_t v = TRY(copy_from_user(user_value.as<int32_t>()));
    if (level == kSolSocket) {
      if (name == kSoSndbuf || name == kSoSndbufforce)
        send_buffer_ = buffer_size(v);
      else if (name == kSoRcvbuf || name == kSoRcvbufforce)
        receive_buffer_ = buffer_size(v);
      else if (name != kSoPasscred)
        return Err(-ENOPROTOOPT);
      return status_ok();
    }
    if (name == kNetlinkAddMembership || name == kNetlinkDropMembership) {
      if (v >= 1 && v <= 32) // the first 32 groups also show in nl_groups
        groups_ =
            name == kNetlinkAddMembership ? groups_ | 1u << (v - 1) : groups_ & ~(1u << (v - 1));
      return status_ok();
    }
    if (name > kNetlinkLastOption || name < 1)
      return Err(-ENOPROTOOPT);
    netlink_flags_ = v ? netlink_flags_ | 1u << name : netlink_flags_ & ~(1u << name);
    return status_ok();
  }

  Readiness readiness() override {
    Readiness r{kEpollOut | kEpollWrNorm, gen_.in, gen_.out};
    if (head_)
      r.events |= kEpollIn | kEpollRdNorm;
    if (pending_error_)
      r.events |= kEpollErr;
    return r;
  }

  ErrorOr<long> ioctl(unsigned long, uint64_t) override { return Err(-ENOTTY); }

  void close() override {
    while (head_)
      pop();
    for (NetlinkSocket** p = &g_bound; *p; p = &(*p)->next_bound_)
      if (*p == this) {
        *p = next_bound_;
        break;
      }
    delete this;
  }

private:
  static SocketAddress address(uint32_t pid, uint32_t groups) {
    SocketAddress s;
    SockaddrNl a{static_cast<uint16_t>(kAfNetlink), 0, pid, groups};
    memcpy(s.bytes, &a, sizeof a);
    s.len = sizeof a;
    return s;
  }

  static ErrorOr<SockaddrNl> read_address(UserPtr<const void> user_addr, uint64_t len) {
    if (len < kSockaddrNlSize)
      return Err(-EINVAL);
    SockaddrNl a = TRY(copy_from_user(user_addr.as<SockaddrNl>()));
    if (a.family != kAfNetlink)
      return Err(-EINVAL);
    return a;
  }

  static int buffer_size(int32_t want) {
    int64_t doubled = want < 0 ? 0 : static_cast<int64_t>(want) * 2;
    if (doubled > kMaxBuffer)
      doubled = kMaxBuffer;
    return doubled < kMinBuffer ? kMinBuffer : static_cast<int>(doubled);
  }

  static bool port_taken(uint32_t port) {
    for (NetlinkSocket* s = g_bound; s; s = s->next_bound_)
      if (s->port_id_ == port)
        return true;
    return false;
  }
  Status claim(uint32_t port) {
    if (port_taken(port))
      return Err(-EADDRINUSE);
    port_id_ = port;
    next_bound_ = g_bound;
    g_bound = this;
    return status_ok();
  }
  // The process id for the first socket, then -4096, -4097, ... (Linux's choice).
  Status autobind() {
    if (!port_taken(static_cast<uint32_t>(kPid)))
      return claim(static_cast<uint32_t>(kPid));
    for (uint32_t port = kFirstAutoPort; port > 0x80000000u; --port)
      if (!port_taken(port))
        return claim(port);
    return Err(-EADDRINUSE);
  }

  // ReplySink: queues an answer unless the receive buffer is full.
  bool deliver(const uint8_t* bytes, size_t len) override {
    if (queued_ + len > static_cast<size_t>(receive_buffer_))
      return false;
    auto* d = static_cast<Datagram*>(kmalloc(sizeof(Datagram) + len));
    if (!d)
      return false;
    d->next = nullptr;
    d->len = len;
    memcpy(d->bytes, bytes, len);
    (tail_ ? tail_->next : head_) = d;
    tail_ = d;
    queued_ += len;
    return true;
  }

  void pop() {
    Datagram* d = head_;
    head_ = d->next;
    if (!head_)
      tail_ = nullptr;
    queued_ -= d->len;
    kfree(d);
  }

  int take_error() {
    int error = pending_error_;
    pending_error_ = 0;
    return error;
  }

  void announce_readable() {
    sched::wake_all(waitq_);
    announce(gen_, kEpollIn | kEpollRdNorm);
  }

  uint32_t port_id_ = 0, groups_ = 0, peer_port_ = 0;
  uint32_t netlink_flags_ = 0; // SOL_NETLINK boolean options, bit = option number
  int send_buffer_ = kDefaultBuffer, receive_buffer_ = kDefaultBuffer;
  int pending_error_ = 0;
  Datagram* head_ = nullptr;
  Datagram* tail_ = nullptr;
  size_t queued_ = 0;
  NetlinkSocket* next_bound_ = nullptr;
  sched::WaitQueue waitq_;
  EventGen gen_;
};

ErrorOr<Socket*> create(int type, int protocol) {
  if (type != kSockRaw && type != kSockDgram)
    return Err(-kEsocktnosupport);
  if (protocol != kNetlinkRoute)
    return Err(-EPROTONOSUPPORT);
  auto* s = new (std::nothrow) NetlinkSocket(type);
  if (!s)
    return Err(-ENOMEM);
  return static_cast<Socket*>(s);
}

} // namespace

// socketpair is EOPNOTSUPP, as on Linux.
const SocketFamily kNetlinkFamily{kAfNetlink, create, nullptr};

} // namespace unix::netlink
