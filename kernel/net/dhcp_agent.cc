#include "net/dhcp_agent.h"

#include "net/bytes.h"
#include "net/udp.h"

namespace net {

DhcpAgent::DhcpAgent(Stack& stack, Interface& interface, uint32_t xid_seed)
    : stack_(stack), interface_(interface), client_(*this, interface.mac(), xid_seed),
      original_mtu_(interface.mtu()) {}

DhcpAgent::~DhcpAgent() {
  stack_.udp().close(socket_);
}

Status DhcpAgent::start() {
  socket_.broadcast = true;
  socket_.reuse_address = true;
  socket_.on_readable = &DhcpAgent::on_readable;
  socket_.readable_ctx = this;
  Status s = stack_.udp().bind(socket_, {Ipv4Address::any(), kDhcpClientPort});
  if (!s)
    return s;
  client_.start(stack_.now());
  return status_ok();
}

void DhcpAgent::tick() {
  client_.tick(stack_.now());
}

void DhcpAgent::on_readable(void* ctx) {
  static_cast<DhcpAgent*>(ctx)->drain();
}

void DhcpAgent::drain() {
  uint8_t buf[1500];
  for (;;) {
    auto r = stack_.udp().receive_from(socket_, buf, sizeof buf, false);
    if (!r) {
      if (r.error() == -EAGAIN)
        return;
      continue; // an ICMP error reported on the socket: nothing for DHCP
    }
    if (r->from.port == kDhcpServerPort)
      client_.receive(buf, r->copied, stack_.now());
  }
}

// Built by hand rather than through UdpTable::send_to: before the lease the source address
// is 0.0.0.0 and the datagram must leave through this interface (RFC 2131 section 4.1).
void DhcpAgent::send_dhcp(const uint8_t* message, size_t len, Ipv4Address destination) {
  PacketPtr p = PacketPtr::allocate(kPacketHeadroom, kUdpHeaderSize + len);
  if (!p)
    return;
  uint8_t* header = p->put(kUdpHeaderSize);
  p->append(message, len);
  Ipv4Address source = has_lease_ ? interface_.address() : Ipv4Address::any();
  write_udp(header, kDhcpClientPort, kDhcpServerPort, static_cast<uint16_t>(kUdpHeaderSize + len),
            source, destination);
  SendOptions o;
  o.allow_broadcast = true;
  if (destination.is_limited_broadcast() || !has_lease_)
    o.via = &interface_;
  (void)stack_.send(source, destination, kIpProtocolUdp, p.take(), o);
}

void DhcpAgent::lease_acquired(const DhcpLease& lease) {
  if (!has_lease_ || interface_.address() != lease.address ||
      interface_.prefix_length() != lease.prefix_length)
    (void)stack_.set_address(interface_, lease.address, lease.prefix_length);
  if (!lease.router.is_any())
    (void)stack_.set_default_route(lease.router, interface_);
  else
    stack_.clear_default_route(interface_);
  interface_.set_mtu(lease.mtu && lease.mtu < original_mtu_ ? lease.mtu : original_mtu_);
  has_lease_ = true;
}

void DhcpAgent::lease_lost() {
  has_lease_ = false;
  stack_.clear_default_route(interface_);
  (void)stack_.set_address(interface_, Ipv4Address::any(), 0);
  interface_.set_mtu(original_mtu_);
}

} // namespace net
