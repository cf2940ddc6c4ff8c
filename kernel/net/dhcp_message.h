// DHCPv4 messages (RFC 2131 section 2, options from RFC 2132): the fixed BOOTP layout, the
// magic cookie, then options as code/length/value. Both directions use one struct, so the
// client builds its DISCOVER/REQUEST with it and the host tests build a server's replies.
#pragma once

#include "lib/error_or.h"
#include "net/addr.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

constexpr uint16_t kDhcpServerPort = 67;
constexpr uint16_t kDhcpClientPort = 68;
constexpr size_t kDhcpFixedSize = 236;  // up to and including `file`
constexpr size_t kDhcpMinMessage = 300; // BOOTP's minimum; servers may insist on it
constexpr size_t kDhcpMaxMessage = 576; // what every client must accept (RFC 2131 2)

enum DhcpMessageType : uint8_t {
  kDhcpDiscover = 1,
  kDhcpOffer = 2,
  kDhcpRequest = 3,
  kDhcpDecline = 4,
  kDhcpAck = 5,
  kDhcpNak = 6,
  kDhcpRelease = 7,
};

struct DhcpMessage {
  uint8_t op = 1; // 1 BOOTREQUEST, 2 BOOTREPLY
  uint32_t xid = 0;
  uint16_t secs = 0;
  bool broadcast_flag = false;
  Ipv4Address ciaddr, yiaddr, siaddr, giaddr;
  MacAddress chaddr;
  // Options (0 / any() / false: absent).
  uint8_t type = 0;        // 53
  Ipv4Address subnet_mask; // 1
  bool has_subnet_mask = false;
  Ipv4Address router; // 3 (the first listed)
  Ipv4Address dns[3]; // 6
  uint8_t dns_count = 0;
  uint16_t mtu = 0;                // 26
  uint32_t lease_seconds = 0;      // 51
  Ipv4Address server_id;           // 54
  Ipv4Address requested_address;   // 50
  uint32_t renewal_seconds = 0;    // 58 (T1)
  uint32_t rebinding_seconds = 0;  // 59 (T2)
  bool request_parameters = false; // 55: ask for mask, router, DNS, MTU, lease, T1, T2
  bool client_id = false;          // 61: hardware type 1 + chaddr
};

// Writes `m` into out[0..capacity); returns the length (>= kDhcpMinMessage, zero padded) or
// -ENOSPC.
ErrorOr<size_t> write_dhcp(const DhcpMessage& m, uint8_t* out, size_t capacity);
// -EINVAL for a short message, another hardware type, a missing magic cookie or a malformed
// option (length past the end). Unknown options are skipped.
ErrorOr<DhcpMessage> parse_dhcp(const uint8_t* bytes, size_t len);

// The prefix length of a contiguous netmask; -EINVAL for a mask with holes.
ErrorOr<uint8_t> netmask_prefix(Ipv4Address mask);

} // namespace net
