#include "net/stack.h"

#include "lib/string.h"
#include "net/arp.h"
#include "net/bytes.h"
#include "net/ethernet.h"
#include "net/icmp.h"

namespace net {

Stack::Stack(const Clock& clock) : clock_(clock), udp_(*this) {
  loopback_.set_up(true);
  interfaces_[0] = &loopback_;
  (void)set_address(loopback_, Ipv4Address::loopback(), 8);
  (void)register_protocol(kIpProtocolUdp, udp_);
  icmp_refill_ns_ = now();
}

// Interfaces are not owned (and may be gone already): their ARP caches free themselves.
Stack::~Stack() = default;

// ---------------------------------------------------------------------------------------
// Configuration

Status Stack::add_interface(Interface& interface) {
  for (Interface*& slot : interfaces_) {
    if (slot == &interface)
      return Err(-EEXIST);
  }
  for (Interface*& slot : interfaces_) {
    if (!slot) {
      slot = &interface;
      return status_ok();
    }
  }
  return Err(-ENOSPC);
}

void Stack::remove_interface(Interface& interface) {
  routes_.remove_interface(&interface);
  interface.arp.clear();
  for (Interface*& slot : interfaces_)
    if (slot == &interface)
      slot = nullptr;
}

Status Stack::set_address(Interface& interface, Ipv4Address address, uint8_t prefix_length) {
  if (prefix_length > 32)
    return Err(-EINVAL);
  if (interface.has_address())
    routes_.remove(interface.address(), interface.prefix_length(), &interface);
  interface.arp.clear();
  interface.assign_address(address, prefix_length);
  if (address.is_any())
    return status_ok();
  Route connected;
  connected.destination = address;
  connected.prefix_length = prefix_length;
  connected.interface = &interface;
  return routes_.add(connected);
}

Status Stack::set_default_route(Ipv4Address gateway, Interface& interface) {
  clear_default_route(interface);
  Route r;
  r.gateway = gateway;
  r.interface = &interface;
  r.metric = 100;
  return routes_.add(r);
}

void Stack::clear_default_route(Interface& interface) {
  routes_.remove(Ipv4Address::any(), 0, &interface);
}

Status Stack::register_protocol(uint8_t protocol, ProtocolHandler& handler) {
  if (protocol == kIpProtocolIcmp || handler_for(protocol))
    return Err(-EEXIST);
  for (ProtocolSlot& slot : protocols_) {
    if (!slot.handler) {
      slot = {protocol, &handler};
      return status_ok();
    }
  }
  return Err(-ENOSPC);
}

void Stack::unregister_protocol(uint8_t protocol) {
  for (ProtocolSlot& slot : protocols_)
    if (slot.handler && slot.protocol == protocol)
      slot = ProtocolSlot();
}

ProtocolHandler* Stack::handler_for(uint8_t protocol) const {
  for (const ProtocolSlot& slot : protocols_)
    if (slot.handler && slot.protocol == protocol)
      return slot.handler;
  return nullptr;
}

bool Stack::is_local_address(Ipv4Address address) const {
  if (address.is_loopback())
    return true;
  for (Interface* i : interfaces_)
    if (i && i->has_address() && i->address() == address)
      return true;
  return false;
}

bool Stack::is_broadcast_address(Ipv4Address address) const {
  if (address.is_limited_broadcast())
    return true;
  for (Interface* i : interfaces_)
    if (i && i->is_directed_broadcast(address))
      return true;
  return false;
}

// ---------------------------------------------------------------------------------------
// Timers

void Stack::tick() {
  uint64_t t = now();
  for (Interface* i : interfaces_) {
    if (!i || i->is_loopback())
      continue;
    struct Ctx {
      Stack* stack;
      Interface* interface;
    } ctx{this, i};
    i->arp.expire(
        t,
        [](void* c, Ipv4Address ip) {
          auto* x = static_cast<Ctx*>(c);
          x->stack->send_arp(*x->interface, kArpRequest, MacAddress{}, ip);
        },
        &ctx);
  }
  reassembler_.expire(t);
  poll();
}

size_t Stack::poll() {
  // Bounded: two endpoints answering each other over loopback could go on forever.
  size_t delivered = 0;
  while (delivered < LoopbackInterface::kQueueLimit && loopback_.has_pending()) {
    PacketPtr datagram = loopback_.next_received();
    datagram->interface = &loopback_;
    receive_ipv4(loopback_, datagram.take());
    ++delivered;
  }
  return delivered;
}

bool Stack::take_icmp_token() {
  uint64_t t = now();
  uint64_t earned = (t - icmp_refill_ns_) / kIcmpTokenInterval;
  if (earned) {
    icmp_tokens_ = earned >= kIcmpBurst || icmp_tokens_ + earned >= kIcmpBurst
                       ? kIcmpBurst
                       : icmp_tokens_ + static_cast<uint32_t>(earned);
    icmp_refill_ns_ += earned * kIcmpTokenInterval;
  }
  if (icmp_tokens_ == 0) {
    ++stats_.icmp_rate_limited;
    return false;
  }
  --icmp_tokens_;
  return true;
}

} // namespace net
