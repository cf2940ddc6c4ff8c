// The Stack's input path: Ethernet demux, ARP, IPv4 validation and reassembly, local
// delivery to protocol handlers, and ICMP.
#include "lib/string.h"
#include "net/arp.h"
#include "net/bytes.h"
#include "net/ethernet.h"
#include "net/icmp.h"
#include "net/stack.h"

namespace net {

void Stack::receive_frame(Interface& interface, PacketPtr frame) {
  ++stats_.frames_in;
  if (!frame || !interface.is_up()) {
    ++stats_.frames_dropped;
    return;
  }
  auto eh = parse_ethernet(frame->data(), frame->length());
  // Ours, broadcast or multicast; frames for other stations (promiscuous devices) are not.
  if (!eh || (!(eh->destination == interface.mac()) && !eh->destination.is_multicast())) {
    ++stats_.frames_dropped;
    return;
  }
  frame->pull(kEthernetHeaderSize);
  frame->interface = &interface;
  frame->link_broadcast = eh->destination.is_multicast();
  switch (eh->ether_type) {
  case kEtherTypeArp:
    receive_arp(interface, frame->data(), frame->length());
    break;
  case kEtherTypeIpv4:
    receive_ipv4(interface, frame.take());
    break;
  default:
    ++stats_.frames_dropped;
    break;
  }
  poll();
}

// RFC 826 "packet reception", for our one protocol and hardware type.
void Stack::receive_arp(Interface& interface, const uint8_t* bytes, size_t len) {
  auto m = parse_arp(bytes, len);
  if (!m || !interface.has_address() || m->sender_mac.is_multicast() || m->sender_ip.is_any() ||
      m->sender_ip == interface.address())
    return;
  bool for_us = m->target_ip == interface.address();
  // Merge: refresh a mapping we have; add one when the message is addressed to us (the
  // sender will likely talk to us next). Then send what waited for this address.
  PacketQueue waiting = interface.arp.learn(m->sender_ip, m->sender_mac, now(), for_us);
  while (PacketPtr p = waiting.pop_front())
    transmit_ethernet(interface, m->sender_mac, kEtherTypeIpv4, p.take());
  if (for_us && m->operation == kArpRequest)
    send_arp(interface, kArpReply, m->sender_mac, m->sender_ip);
}

bool Stack::accepts_destination(const Interface& interface, Ipv4Address destination) const {
  if (interface.is_loopback())
    return destination.is_loopback() || is_local_address(destination);
  if (destination.is_limited_broadcast() || destination.is_multicast())
    return true;
  if (interface.is_directed_broadcast(destination))
    return true;
  // Weak host model (RFC 1122 3.3.4.2): any of our addresses on any interface; but
  // 127/8 from a wire is a spoof (RFC 1122 3.2.1.3 (g)).
  return !destination.is_loopback() && is_local_address(destination);
}

void Stack::receive_ipv4(Interface& interface, PacketPtr datagram) {
  ++stats_.ip_in;
  auto parsed = parse_ipv4(datagram->data(), datagram->length());
  if (!parsed || !accepts_destination(interface, parsed->destination) ||
      parsed->source.is_multicast() || parsed->source.is_limited_broadcast() ||
      (!interface.is_loopback() && parsed->source.is_loopback())) {
    ++stats_.ip_dropped;
    return;
  }
  Ipv4Header h = *parsed;
  datagram->trim(h.total_length); // link padding
  datagram->pull(h.header_length);
  if (h.is_fragment()) {
    Ipv4Header whole_header;
    PacketPtr whole =
        reassembler_.add(h, datagram->data(), datagram->length(), now(), &whole_header);
    if (!whole)
      return; // incomplete (or refused): nothing to deliver yet
    whole->interface = &interface;
    whole->link_broadcast = datagram->link_broadcast;
    // Put a header in front, as an unfragmented datagram has, for ICMP errors to quote.
    write_ipv4(whole->push(kIpv4MinHeaderSize), whole_header);
    whole->pull(kIpv4MinHeaderSize);
    deliver(whole_header, whole.take());
    return;
  }
  deliver(h, datagram.take());
}

void Stack::deliver(const Ipv4Header& header, PacketPtr payload) {
  ++stats_.ip_delivered;
  if (header.protocol == kIpProtocolIcmp) {
    receive_icmp(header, payload);
    return;
  }
  // Quote source for an error, taken before the handler may take the packet.
  ProtocolHandler* handler = handler_for(header.protocol);
  bool link_broadcast = payload->link_broadcast;
  uint8_t quote[8];
  size_t quoted = payload->length() < 8 ? payload->length() : 8;
  memcpy(quote, payload->data(), quoted);
  if (!handler) {
    send_icmp_error(kIcmpDestinationUnreachable, kIcmpProtocolUnreachable, header, quote, quoted,
                    link_broadcast);
    return;
  }
  if (handler->receive(header, payload) == Delivery::kNoListener)
    send_icmp_error(kIcmpDestinationUnreachable, kIcmpPortUnreachable, header, quote, quoted,
                    link_broadcast);
}

void Stack::receive_icmp(const Ipv4Header& header, PacketPtr& payload) {
  auto m = parse_icmp(payload->data(), payload->length());
  if (!m)
    return;
  switch (m->type) {
  case kIcmpEchoRequest: {
    // RFC 1122 3.2.2.6: reply with the same identifier, sequence and data. Requests to a
    // broadcast or multicast address are ignored (3.2.2.6 allows it; it avoids smurf floods).
    if (is_broadcast_address(header.destination) || header.destination.is_multicast() ||
        payload->link_broadcast)
      return;
    uint8_t rest[4];
    memcpy(rest, m->rest, 4);
    finish_icmp(payload->data(), payload->length(), kIcmpEchoReply, 0, rest);
    payload->rx_checksum_valid = false;
    SendOptions o;
    o.tos = header.tos;
    ++stats_.icmp_echo_replies;
    // Reuse the request's buffer: the reply is the same size.
    (void)send(header.destination, header.source, kIpProtocolIcmp, payload.take(), o);
    return;
  }
  case kIcmpDestinationUnreachable:
  case kIcmpTimeExceeded:
  case kIcmpParameterProblem:
    ++stats_.icmp_errors_in;
    handle_icmp_error(*m);
    return;
  default:
    return; // echo replies go to ping sockets, which we do not have yet
  }
}

namespace {
int errno_for(uint8_t type, uint8_t code) {
  if (type == kIcmpDestinationUnreachable) {
    switch (code) {
    case kIcmpNetUnreachable:
      return ENETUNREACH;
    case kIcmpProtocolUnreachable:
      return ENOPROTOOPT;
    case kIcmpPortUnreachable:
      return ECONNREFUSED;
    case kIcmpFragmentationNeeded:
      return EMSGSIZE;
    default:
      return kEhostunreach;
    }
  }
  if (type == kIcmpTimeExceeded)
    return kEhostunreach;
  return kEproto;
}
} // namespace

void Stack::handle_icmp_error(const IcmpMessage& m) {
  auto q = parse_quoted_datagram(m.body, m.body_length);
  // Only errors about datagrams we sent (our address as their source) are believed.
  if (!q || !is_local_address(q->header.source))
    return;
  IcmpError e;
  e.type = m.type;
  e.code = m.code;
  e.error = errno_for(m.type, m.code);
  e.local = q->header.source;
  e.remote = q->header.destination;
  e.transport = q->transport;
  e.transport_length = q->transport_length;
  if (m.type == kIcmpDestinationUnreachable && m.code == kIcmpFragmentationNeeded) {
    e.next_hop_mtu = fragmentation_needed_mtu(m, *q);
    auto route = resolve_route(e.remote, nullptr);
    if (route)
      pmtu_.report(e.remote, e.next_hop_mtu, route->interface->mtu(), now());
  }
  if (ProtocolHandler* handler = handler_for(q->header.protocol))
    handler->icmp_error(e);
}

void Stack::send_icmp_error(uint8_t type, uint8_t code, const Ipv4Header& header,
                            const uint8_t* transport, size_t transport_length, bool link_broadcast,
                            uint16_t next_hop_mtu) {
  // RFC 1122 3.2.2: never about an ICMP error, a broadcast/multicast datagram, a
  // non-initial fragment, or a source that is not a single host.
  if (link_broadcast || is_broadcast_address(header.destination) ||
      header.destination.is_multicast() || header.fragment_offset() != 0 ||
      header.source.is_any() || header.source.is_multicast() ||
      is_broadcast_address(header.source) || header.source.is_class_e())
    return;
  if (header.protocol == kIpProtocolIcmp && transport_length >= 1 &&
      transport[0] != kIcmpEchoRequest && transport[0] != kIcmpEchoReply)
    return;
  if (!take_icmp_token())
    return;
  size_t quote_length = kIpv4MinHeaderSize + transport_length;
  PacketPtr p = PacketPtr::allocate(kPacketHeadroom, kIcmpHeaderSize + quote_length);
  if (!p)
    return;
  uint8_t* at = p->put(kIcmpHeaderSize + quote_length);
  Ipv4Header quoted = header;
  quoted.header_length = kIpv4MinHeaderSize; // options are not quoted back
  write_ipv4(at + kIcmpHeaderSize, quoted);
  memcpy(at + kIcmpHeaderSize + kIpv4MinHeaderSize, transport, transport_length);
  uint8_t rest[4] = {0, 0, uint8_t(next_hop_mtu >> 8), uint8_t(next_hop_mtu)};
  finish_icmp(at, kIcmpHeaderSize + quote_length, type, code, rest);
  ++stats_.icmp_errors_out;
  // From the address the datagram was sent to (a local one here).
  (void)send(header.destination, header.source, kIpProtocolIcmp, p.take());
}

} // namespace net
