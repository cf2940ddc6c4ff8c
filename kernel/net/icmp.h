// ICMP messages (RFC 792) the host handles: echo request/reply, destination unreachable
// (port unreachable -> the UDP sender's ECONNREFUSED; fragmentation needed -> path MTU,
// RFC 1191), time exceeded and parameter problem. An error quotes the offending datagram's
// IP header and at least its first 8 payload bytes, which name the transport endpoints.
#pragma once

#include "lib/error_or.h"
#include "net/ipv4.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

constexpr size_t kIcmpHeaderSize = 8; // type, code, checksum, 4 type-specific bytes

enum IcmpType : uint8_t {
  kIcmpEchoReply = 0,
  kIcmpDestinationUnreachable = 3,
  kIcmpEchoRequest = 8,
  kIcmpTimeExceeded = 11,
  kIcmpParameterProblem = 12,
};
enum IcmpUnreachableCode : uint8_t {
  kIcmpNetUnreachable = 0,
  kIcmpHostUnreachable = 1,
  kIcmpProtocolUnreachable = 2,
  kIcmpPortUnreachable = 3,
  kIcmpFragmentationNeeded = 4,
};

struct IcmpMessage {
  uint8_t type = 0;
  uint8_t code = 0;
  uint8_t rest[4] = {};          // id/sequence for echo; unused/next-hop MTU for errors
  const uint8_t* body = nullptr; // what follows the 8-byte header
  size_t body_length = 0;
};

// -EINVAL when shorter than 8 bytes or when the checksum over all `len` bytes is wrong.
ErrorOr<IcmpMessage> parse_icmp(const uint8_t* bytes, size_t len);

// Writes type, code and rest at `out` and the checksum over the `len` bytes at `out`
// (header and the body the caller already placed after it).
void finish_icmp(uint8_t* out, size_t len, uint8_t type, uint8_t code, const uint8_t rest[4]);

// The datagram an ICMP error quotes: its header (taken as it was sent, so its total length
// may exceed what is quoted) and the first transport bytes.
struct QuotedDatagram {
  Ipv4Header header;
  const uint8_t* transport = nullptr;
  size_t transport_length = 0; // at least 8
};
ErrorOr<QuotedDatagram> parse_quoted_datagram(const uint8_t* body, size_t len);

// The next-hop MTU a fragmentation-needed message reports (RFC 1191 section 4: the low 16
// bits of the second word). When a pre-RFC 1191 router leaves it 0, the plateau below the
// quoted datagram's total length (RFC 1191 section 7 table) is the estimate.
uint16_t fragmentation_needed_mtu(const IcmpMessage& message, const QuotedDatagram& quoted);

} // namespace net
