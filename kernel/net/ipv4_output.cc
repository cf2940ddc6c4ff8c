// The Stack's output path: route, source address, fragmentation, link resolution (ARP).
#include "lib/string.h"
#include "net/arp.h"
#include "net/ethernet.h"
#include "net/stack.h"

namespace net {

ErrorOr<Stack::Resolved> Stack::resolve_route(Ipv4Address destination, Interface* via) {
  Resolved r;
  if (via) {
    r.interface = via;
    r.next_hop = destination;
    r.source = via->address();
    return r;
  }
  // Local destinations (ours or 127/8) never touch a wire: they loop back.
  if (is_local_address(destination)) {
    r.interface = &loopback_;
    r.next_hop = destination;
    r.source = destination.is_loopback() ? Ipv4Address::loopback() : destination;
    return r;
  }
  if (destination.is_limited_broadcast()) {
    // No route names an interface for 255.255.255.255: the first configured Ethernet one.
    for (Interface* i : interfaces_) {
      if (i && !i->is_loopback() && i->is_up()) {
        r.interface = i;
        r.next_hop = destination;
        r.source = i->address();
        return r;
      }
    }
    return Err(-ENETUNREACH);
  }
  const Route* route = routes_.lookup(destination);
  if (!route)
    return Err(-ENETUNREACH);
  r.interface = route->interface;
  r.next_hop = route->gateway.is_any() ? destination : route->gateway;
  r.source = route->interface->address();
  return r;
}

ErrorOr<Ipv4Address> Stack::source_for(Ipv4Address destination) {
  auto r = resolve_route(destination, nullptr);
  if (!r)
    return Err(r.error());
  if (r->source.is_any())
    return Err(-EADDRNOTAVAIL);
  return r->source;
}

uint32_t Stack::path_mtu(Ipv4Address destination) {
  auto r = resolve_route(destination, nullptr);
  if (!r)
    return kIpv4MinMtu;
  return pmtu_.lookup(destination, r->interface->mtu(), now());
}

uint32_t Stack::large_send_max(Ipv4Address destination) {
  auto r = resolve_route(destination, nullptr);
  if (!r || r->interface->is_loopback())
    return 0;
  return r->interface->tx_large_send_max;
}

Status Stack::send(Ipv4Address source, Ipv4Address destination, uint8_t protocol, PacketPtr payload,
                   const SendOptions& options) {
  if (!payload)
    return Err(-ENOBUFS);
  if (payload->length() > kIpv4MaxDatagram - kIpv4MinHeaderSize)
    return Err(-EMSGSIZE);
  if (is_broadcast_address(destination) && !options.allow_broadcast)
    return Err(-EACCES);
  auto route = resolve_route(destination, options.via);
  if (!route)
    return Err(route.error());
  if (!route->interface->is_up())
    return Err(-ENETDOWN);
  Ipv4Header h;
  h.tos = options.tos;
  h.ttl = options.ttl;
  h.protocol = protocol;
  h.source = source.is_any() ? route->source : source;
  h.destination = destination;
  h.total_length = static_cast<uint16_t>(payload->length() + kIpv4MinHeaderSize);
  h.id = next_id_++;
  h.flags_fragment = options.dont_fragment ? kIpv4FlagDontFragment : 0;
  // any() as source only for DHCP's messages before it has an address (RFC 2131 4.1).
  if (h.source.is_any() && !options.via)
    return Err(-EADDRNOTAVAIL);

  uint32_t mtu = route->interface->is_loopback()
                     ? route->interface->mtu()
                     : pmtu_.lookup(destination, route->interface->mtu(), now());
  // A large send is cut by the device: each of its pieces must fit.
  size_t largest = payload->gso_size
                       ? size_t{kIpv4MinHeaderSize} + payload->gso_header + payload->gso_size
                       : h.total_length;
  if (payload->gso_size &&
      payload->length() - payload->gso_header > route->interface->tx_large_send_max)
    return Err(-EMSGSIZE); // the route no longer goes through a device that cuts
  if (largest > mtu) {
    if (options.dont_fragment)
      return Err(-EMSGSIZE);
    return fragment_and_output(*route, h, payload.take(), mtu);
  }
  return output(*route, h, payload.take());
}

Status Stack::output(const Resolved& route, const Ipv4Header& header, PacketPtr payload) {
  if (payload->headroom() < kIpv4MinHeaderSize + kEthernetHeaderSize) {
    // The caller left too little room for our headers: copy once into a packet that has it.
    PacketPtr roomy = PacketPtr::allocate(kPacketHeadroom, payload->length());
    if (!roomy || !roomy->append(payload->data(), payload->length()))
      return Err(-ENOBUFS);
    if (payload->tx_checksum_needed())
      roomy->set_tx_checksum(payload->tx_checksum_start(), payload->tx_checksum_offset(),
                             payload->tx_checksum_zero_means_none());
    roomy->gso_size = payload->gso_size;
    roomy->gso_header = payload->gso_header;
    payload = roomy.take();
  }
  uint8_t* at = payload->push(kIpv4MinHeaderSize);
  write_ipv4(at, header);
  ++stats_.ip_out;
  output_link(*route.interface, route.next_hop, payload.take());
  return status_ok();
}

// RFC 791 fragmentation: every fragment but the last carries a multiple of 8 bytes; each
// gets a copy of the header with its offset and MF. A pending checksum is finished first
// (the device could only complete it over a whole datagram).
Status Stack::fragment_and_output(const Resolved& route, const Ipv4Header& header,
                                  PacketPtr payload, uint32_t mtu) {
  if (mtu < kIpv4MinMtu)
    return Err(-EMSGSIZE);
  payload->finish_tx_checksum();
  size_t per_fragment = (mtu - kIpv4MinHeaderSize) & ~size_t(7);
  size_t total = payload->length();
  for (size_t offset = 0; offset < total; offset += per_fragment) {
    size_t n = total - offset < per_fragment ? total - offset : per_fragment;
    PacketPtr fragment = PacketPtr::allocate(kPacketHeadroom, n);
    if (!fragment || !fragment->append(payload->data() + offset, n))
      return Err(-ENOBUFS);
    Ipv4Header h = header;
    h.total_length = static_cast<uint16_t>(n + kIpv4MinHeaderSize);
    h.flags_fragment = static_cast<uint16_t>(offset / 8);
    if (offset + n < total)
      h.flags_fragment |= kIpv4FlagMoreFragments;
    ++stats_.fragments_out;
    Status s = output(route, h, fragment.take());
    if (!s)
      return s;
  }
  return status_ok();
}

void Stack::output_link(Interface& interface, Ipv4Address next_hop, PacketPtr datagram) {
  if (interface.is_loopback()) {
    interface.transmit(datagram.take());
    return;
  }
  MacAddress to;
  if (next_hop.is_limited_broadcast() || interface.is_directed_broadcast(next_hop)) {
    to = MacAddress::broadcast();
  } else if (next_hop.is_multicast()) {
    to = multicast_mac(next_hop);
  } else if (!interface.arp.lookup(next_hop, now(), &to)) {
    if (interface.arp.enqueue(next_hop, datagram.take(), now()))
      send_arp(interface, kArpRequest, MacAddress{}, next_hop);
    return;
  }
  transmit_ethernet(interface, to, kEtherTypeIpv4, datagram.take());
}

void Stack::transmit_ethernet(Interface& interface, const MacAddress& to, uint16_t type,
                              PacketPtr packet) {
  if (!interface.tx_checksum_offload)
    packet->finish_tx_checksum();
  EthernetHeader eh{to, interface.mac(), type};
  if (!push_ethernet(*packet, eh))
    return; // every path here leaves Ethernet headroom; a packet without it is dropped
  interface.transmit(packet.take());
}

void Stack::send_arp(Interface& interface, uint16_t operation, const MacAddress& target_mac,
                     Ipv4Address target_ip) {
  PacketPtr p = PacketPtr::allocate(kPacketHeadroom, kArpMessageSize);
  if (!p)
    return;
  ArpMessage m;
  m.operation = operation;
  m.sender_mac = interface.mac();
  m.sender_ip = interface.address();
  m.target_mac = target_mac;
  m.target_ip = target_ip;
  write_arp(p->put(kArpMessageSize), m);
  if (operation == kArpRequest)
    ++stats_.arp_requests_out;
  else
    ++stats_.arp_replies_out;
  transmit_ethernet(interface, operation == kArpRequest ? MacAddress::broadcast() : target_mac,
                    kEtherTypeArp, p.take());
}

} // namespace net
