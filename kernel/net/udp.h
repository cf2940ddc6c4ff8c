// The UDP header (RFC 768): source port, destination port, length (header included),
// checksum over the IPv4 pseudo-header, header and data (0 = not computed; a computed 0 is
// sent as 0xFFFF).
#pragma once

#include "lib/error_or.h"
#include "net/addr.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

constexpr size_t kUdpHeaderSize = 8;

struct UdpHeader {
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  uint16_t length = 0;
  uint16_t checksum = 0;
};

// Parses the header of the `len` bytes of an IP payload. -EINVAL when the length field is
// under 8 or over `len`, or (unless checksum_known_valid) when a non-zero checksum is wrong.
ErrorOr<UdpHeader> parse_udp(const uint8_t* bytes, size_t len, Ipv4Address source,
                             Ipv4Address destination, bool checksum_known_valid);

// Writes a header at `out` for a datagram of `length` bytes (header included) whose data
// already follows `out`, with the full checksum.
void write_udp(uint8_t* out, uint16_t source_port, uint16_t destination_port, uint16_t length,
               Ipv4Address source, Ipv4Address destination);

} // namespace net
