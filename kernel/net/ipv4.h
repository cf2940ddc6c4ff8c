// The IPv4 header (RFC 791): parsing with the checks RFC 1122 3.2.1 asks of a host, and
// building. Options are carried (their length counts) but not interpreted.
#pragma once

#include "lib/error_or.h"
#include "net/addr.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

constexpr size_t kIpv4MinHeaderSize = 20;
constexpr size_t kIpv4MaxHeaderSize = 60;
constexpr size_t kIpv4MaxDatagram = 65535;
constexpr size_t kIpv4MinMtu = 68; // RFC 791: every host must accept 68-byte datagrams
constexpr uint8_t kIpProtocolIcmp = 1;
constexpr uint8_t kIpProtocolTcp = 6;
constexpr uint8_t kIpProtocolUdp = 17;
constexpr uint8_t kDefaultTtl = 64;

constexpr uint16_t kIpv4FlagDontFragment = 0x4000;
constexpr uint16_t kIpv4FlagMoreFragments = 0x2000;
constexpr uint16_t kIpv4OffsetMask = 0x1FFF; // in 8-byte units

struct Ipv4Header {
  uint8_t header_length = kIpv4MinHeaderSize; // bytes, options included
  uint8_t tos = 0;
  uint16_t total_length = 0;
  uint16_t id = 0;
  uint16_t flags_fragment = 0; // DF/MF bits and the offset in 8-byte units
  uint8_t ttl = kDefaultTtl;
  uint8_t protocol = 0;
  Ipv4Address source;
  Ipv4Address destination;

  bool more_fragments() const { return (flags_fragment & kIpv4FlagMoreFragments) != 0; }
  bool dont_fragment() const { return (flags_fragment & kIpv4FlagDontFragment) != 0; }
  size_t fragment_offset() const { return size_t(flags_fragment & kIpv4OffsetMask) * 8; }
  bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
  size_t payload_length() const { return total_length - header_length; }
};

// Validates the header at the front of `bytes` (`len` bytes, which may include link padding
// after the datagram): version 4, a header length of 20..60 within the data, a total length
// covering the header and within `len`, a correct header checksum. -EINVAL otherwise.
ErrorOr<Ipv4Header> parse_ipv4(const uint8_t* bytes, size_t len);

// Writes a 20-byte header (no options) with its checksum at `out`.
void write_ipv4(uint8_t* out, const Ipv4Header& header);

} // namespace net
