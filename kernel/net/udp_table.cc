#include "net/udp_table.h"

#include "lib/hash.h"
#include "lib/string.h"
#include "net/bytes.h"
#include "net/checksum.h"
#include "net/stack.h"
#include "net/udp.h"

namespace net {

namespace {
constexpr size_t kMaxPayload = kIpv4MaxDatagram - kIpv4MinHeaderSize - kUdpHeaderSize; // 65507
} // namespace

UdpSocket::~UdpSocket() {
  if (table_)
    table_->close(*this);
}

// Sockets still open when the table goes (each unlinks itself when destroyed, so every one
// listed is alive) are left closed.
UdpTable::~UdpTable() {
  while (sockets_)
    close(*sockets_);
}

void UdpTable::open(UdpSocket& socket) {
  if (socket.table_)
    return;
  socket.table_ = this;
  socket.next_ = sockets_;
  sockets_ = &socket;
}

void UdpTable::close(UdpSocket& socket) {
  if (socket.table_ != this)
    return;
  close_link(socket);
  socket.queue_.clear();
  socket.table_ = nullptr;
  socket.local_ = Ipv4Endpoint();
  socket.remote_ = Ipv4Endpoint();
  socket.connected_ = false;
}

bool UdpTable::port_conflicts(const UdpSocket& socket, Ipv4Endpoint local) const {
  for (const UdpSocket* o = sockets_; o; o = o->next_) {
    if (o == &socket || o->local_.port != local.port)
      continue;
    bool overlap = o->local_.addr == local.addr || o->local_.addr.is_any() || local.addr.is_any();
    if (!overlap)
      continue;
    if ((o->reuse_address && socket.reuse_address) || (o->reuse_port && socket.reuse_port))
      continue;
    return true;
  }
  return false;
}

ErrorOr<uint16_t> UdpTable::pick_ephemeral_port(const UdpSocket& socket) {
  constexpr uint32_t kRange = kEphemeralLast - kEphemeralFirst + 1;
  for (uint32_t tried = 0; tried < kRange; ++tried) {
    uint16_t port = next_ephemeral_;
    next_ephemeral_ = port == kEphemeralLast ? kEphemeralFirst : static_cast<uint16_t>(port + 1);
    // Ephemeral ports are never shared, whatever the reuse options.
    bool used = false;
    for (const UdpSocket* o = sockets_; o; o = o->next_)
      used |= o != &socket && o->local_.port == port;
    if (!used)
      return port;
  }
  return Err(-EADDRINUSE);
}

Status UdpTable::bind(UdpSocket& socket, Ipv4Endpoint local) {
  if (socket.is_bound())
    return Err(-EINVAL);
  if (!local.addr.is_any() && !local.addr.is_multicast() && !stack_.is_local_address(local.addr) &&
      !stack_.is_broadcast_address(local.addr))
    return Err(-EADDRNOTAVAIL);
  if (local.port == 0) {
    auto port = pick_ephemeral_port(socket);
    if (!port)
      return Err(port.error());
    local.port = *port;
  } else if (port_conflicts(socket, local)) {
    return Err(-EADDRINUSE);
  }
  open(socket);
  socket.local_ = local;
  // Most recently bound first: among equal matches the newest binding wins.
  close_link(socket);
  socket.next_ = sockets_;
  sockets_ = &socket;
  return status_ok();
}

void UdpTable::close_link(UdpSocket& socket) {
  for (UdpSocket** p = &sockets_; *p; p = &(*p)->next_) {
    if (*p == &socket) {
      *p = socket.next_;
      socket.next_ = nullptr;
      return;
    }
  }
}

Status UdpTable::connect(UdpSocket& socket, Ipv4Endpoint remote) {
  if (remote.addr.is_any()) { // AF_UNSPEC: dissolve the association
    socket.connected_ = false;
    socket.remote_ = Ipv4Endpoint();
    return status_ok();
  }
  if (remote.port == 0)
    return Err(-ECONNREFUSED); // Linux refuses port 0 at send time; we refuse it here
  if (stack_.is_broadcast_address(remote.addr) && !socket.broadcast)
    return Err(-EACCES);
  auto source = stack_.source_for(remote.addr);
  if (!source)
    return Err(source.error());
  if (!socket.is_bound()) {
    Status s = bind(socket, Ipv4Endpoint{Ipv4Address::any(), 0});
    if (!s)
      return s;
  }
  if (socket.local_.addr.is_any())
    socket.local_.addr = *source;
  socket.remote_ = remote;
  socket.connected_ = true;
  socket.pending_error_ = 0;
  return status_ok();
}

ErrorOr<size_t> UdpTable::send_to(UdpSocket& socket, const void* data, size_t len,
                                  const Ipv4Endpoint* to) {
  if (socket.pending_error_) {
    int e = socket.pending_error_;
    socket.pending_error_ = 0;
    return Err(-e);
  }
  Ipv4Endpoint destination;
  if (to) {
    destination = *to;
  } else if (socket.connected_) {
    destination = socket.remote_;
  } else {
    return Err(-EDESTADDRREQ);
  }
  if (destination.port == 0)
    return Err(-EINVAL);
  if (len > kMaxPayload)
    return Err(-EMSGSIZE);
  if (!socket.is_bound()) {
    Status s = bind(socket, Ipv4Endpoint{Ipv4Address::any(), 0});
    if (!s)
      return Err(s.error());
  }
  Ipv4Address source = socket.local_.addr;
  if (source.is_any() || source.is_multicast() || stack_.is_broadcast_address(source)) {
    auto chosen = stack_.source_for(destination.addr);
    if (!chosen)
      return Err(chosen.error());
    source = *chosen;
  }
  PacketPtr p = PacketPtr::allocate(kPacketHeadroom, kUdpHeaderSize + len);
  if (!p)
    return Err(-ENOBUFS);
  uint8_t* header = p->put(kUdpHeaderSize);
  if (len)
    p->append(data, len);
  uint16_t total = static_cast<uint16_t>(kUdpHeaderSize + len);
  put_be16(header, socket.local_.port);
  put_be16(header + 2, destination.port);
  put_be16(header + 4, total);
  // The checksum field holds the pseudo-header sum; the device or the stack completes it.
  put_be16(header + 6, checksum_fold(pseudo_header_ipv4(source.value, destination.addr.value,
                                                        kIpProtocolUdp, total)));
  p->set_tx_checksum(0, 6, /*zero_means_none=*/true);
  SendOptions o;
  o.ttl = socket.ttl;
  o.allow_broadcast = socket.broadcast;
  Status s = stack_.send(source, destination.addr, kIpProtocolUdp, p.take(), o);
  if (!s)
    return Err(s.error());
  return len;
}

ErrorOr<UdpTable::Received> UdpTable::receive_from(UdpSocket& socket, void* buf, size_t capacity,
                                                   bool peek) {
  if (socket.pending_error_) {
    int e = socket.pending_error_;
    socket.pending_error_ = 0;
    return Err(-e);
  }
  Packet* front = socket.queue_.front();
  if (!front)
    return Err(-EAGAIN);
  Received r;
  r.length = front->length();
  r.copied = r.length < capacity ? r.length : capacity;
  r.from = front->source;
  if (r.copied)
    memcpy(buf, front->data(), r.copied);
  if (!peek)
    socket.queue_.pop_front();
  return r;
}

void UdpTable::enqueue(UdpSocket& socket, PacketPtr data, Ipv4Endpoint from) {
  if (socket.queue_.bytes() + data->length() > socket.receive_limit) {
    ++socket.dropped_;
    return;
  }
  data->source = from;
  socket.queue_.push_back(data.take());
  if (socket.on_readable)
    socket.on_readable(socket.readable_ctx);
}

void UdpTable::deliver_broadcast(const Ipv4Header& header, uint16_t source_port, uint16_t port,
                                 PacketPtr& data) {
  Ipv4Endpoint from{header.source, source_port};
  UdpSocket* last = nullptr;
  for (UdpSocket* s = sockets_; s; s = s->next_) {
    if (s->local_.port != port)
      continue;
    if (!s->local_.addr.is_any() && s->local_.addr != header.destination)
      continue;
    if (s->connected_ && !(s->remote_ == from))
      continue;
    if (last) { // every receiver but the last gets a copy
      PacketPtr copy = PacketPtr::allocate(0, data->length());
      if (copy && copy->append(data->data(), data->length()))
        enqueue(*last, copy.take(), from);
    }
    last = s;
  }
  if (last)
    enqueue(*last, data.take(), from);
}

Delivery UdpTable::receive(const Ipv4Header& header, PacketPtr& payload) {
  auto udp = parse_udp(payload->data(), payload->length(), header.source, header.destination,
                       payload->rx_checksum_valid);
  if (!udp)
    return Delivery::kDelivered; // corrupt: dropped silently (RFC 1122 4.1.3.4)
  payload->trim(udp->length);
  payload->pull(kUdpHeaderSize);
  if (stack_.is_broadcast_address(header.destination) || header.destination.is_multicast()) {
    deliver_broadcast(header, udp->source_port, udp->destination_port, payload);
    return Delivery::kDelivered; // nobody listening to a broadcast: no ICMP (3.2.2)
  }
  Ipv4Endpoint from{header.source, udp->source_port};
  UdpSocket* best = nullptr;
  int best_score = -1;
  size_t ties = 0;
  UdpSocket* tied[16];
  for (UdpSocket* s = sockets_; s; s = s->next_) {
    if (s->local_.port != udp->destination_port)
      continue;
    int score = 0;
    if (!s->local_.addr.is_any()) {
      if (s->local_.addr != header.destination)
        continue;
      score += 2;
    }
    if (s->connected_) {
      if (!(s->remote_ == from))
        continue;
      score += 4;
    }
    if (score > best_score) {
      best = s;
      best_score = score;
      ties = 0;
    }
    if (score == best_score && s->reuse_port && ties < 16)
      tied[ties++] = s;
  }
  if (!best)
    return Delivery::kNoListener;
  if (best->reuse_port && ties > 1) {
    // One sender's datagrams keep going to the same member of the reuseport group.
    uint8_t key[6];
    put_be32(key, header.source.value);
    put_be16(key + 4, udp->source_port);
    best = tied[klib::hash_bytes(key, sizeof key) % ties];
  }
  enqueue(*best, payload.take(), from);
  return Delivery::kDelivered;
}

void UdpTable::icmp_error(const IcmpError& error) {
  if (error.transport_length < 4)
    return;
  uint16_t local_port = get_be16(error.transport);
  uint16_t remote_port = get_be16(error.transport + 2);
  if (error.error == EMSGSIZE)
    return; // the path MTU is updated; a datagram socket gets no error for it
  Ipv4Endpoint remote{error.remote, remote_port};
  // Like Linux without IP_RECVERR: only a connected socket hears about it.
  for (UdpSocket* s = sockets_; s; s = s->next_) {
    if (s->connected_ && s->local_.port == local_port && s->remote_ == remote &&
        (s->local_.addr.is_any() || s->local_.addr == error.local)) {
      s->pending_error_ = error.error;
      if (s->on_readable)
        s->on_readable(s->readable_ctx);
      return;
    }
  }
}

} // namespace net
