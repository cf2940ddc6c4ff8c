// How transport protocols plug into the IPv4 layer without it knowing them: a handler per
// IP protocol number (UDP 17 is built in; TCP registers itself for 6). The IP layer hands
// each local datagram's payload to the handler and each ICMP error about a datagram we sent
// to the handler of the quoted datagram's protocol.
#pragma once

#include "net/addr.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "net/packet.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

// An ICMP error about a datagram we sent, with the errno a socket would report.
struct IcmpError {
  uint8_t type = 0;
  uint8_t code = 0;
  int error = 0;                      // positive errno: ECONNREFUSED, EHOSTUNREACH, EMSGSIZE, ...
  uint16_t next_hop_mtu = 0;          // fragmentation needed only
  Ipv4Address local;                  // the quoted datagram's source (us)
  Ipv4Address remote;                 // and destination
  const uint8_t* transport = nullptr; // the quoted transport header's first bytes (>= 8)
  size_t transport_length = 0;
};

enum class Delivery {
  kDelivered, // taken (or dropped for a reason of the protocol's own)
  kNoListener // nobody wants it: the IP layer answers with ICMP port unreachable
};

class ProtocolHandler {
public:
  virtual ~ProtocolHandler() = default;
  // A datagram addressed to us. `payload` starts at the transport header; `header` is the
  // (reassembled) IP header. The handler may keep the packet by taking it.
  virtual Delivery receive(const Ipv4Header& header, PacketPtr& payload) = 0;
  // An ICMP error about something this protocol sent.
  virtual void icmp_error(const IcmpError&) {}
};

// For handlers whose protocol always has a checksum over the pseudo-header (TCP): true when
// the device vouched for the payload or its sum verifies. (The IP layer checks only its own
// header; UDP checks its optional checksum itself.)
inline bool transport_checksum_ok(const Ipv4Header& header, const Packet& payload) {
  if (payload.rx_checksum_valid)
    return true;
  Checksum sum;
  sum.add_pseudo_header_ipv4(header.source.value, header.destination.value, header.protocol,
                             static_cast<uint16_t>(payload.length()));
  sum.add(payload.data(), payload.length());
  return sum.verifies();
}

} // namespace net
