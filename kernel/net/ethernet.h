// Ethernet II framing (IEEE 802.3 with an EtherType): 6 bytes destination MAC, 6 bytes
// source MAC, 2 bytes EtherType, then the payload. The FCS is the device's business.
#pragma once

#include "lib/error_or.h"
#include "net/addr.h"
#include "net/packet.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

constexpr size_t kEthernetHeaderSize = 14;
constexpr size_t kEthernetMtu = 1500;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeArp = 0x0806;

struct EthernetHeader {
  MacAddress destination;
  MacAddress source;
  uint16_t ether_type = 0;
};

// Reads the header at the front of `frame` (`len` bytes); -EINVAL when too short or when the
// type field is an 802.3 length (< 0x0600) rather than an EtherType.
ErrorOr<EthernetHeader> parse_ethernet(const uint8_t* frame, size_t len);
// Writes a header at `out` (14 bytes).
void write_ethernet(uint8_t* out, const EthernetHeader& header);
// Prepends a header to a packet; false without headroom.
bool push_ethernet(Packet& packet, const EthernetHeader& header);

// The Ethernet group address an IPv4 multicast address maps to (RFC 1112 section 6.4:
// 01-00-5E followed by the low 23 bits of the address).
MacAddress multicast_mac(Ipv4Address group);

} // namespace net
