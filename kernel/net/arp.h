// ARP messages for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800, address
// lengths 6 and 4, so a message is always 28 bytes.
#pragma once

#include "lib/error_or.h"
#include "net/addr.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

constexpr size_t kArpMessageSize = 28;
constexpr uint16_t kArpRequest = 1;
constexpr uint16_t kArpReply = 2;

struct ArpMessage {
  uint16_t operation = 0;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;
  Ipv4Address target_ip;
};

// -EINVAL for a short message, -EPROTONOSUPPORT for another hardware/protocol pairing or an
// unknown operation.
ErrorOr<ArpMessage> parse_arp(const uint8_t* bytes, size_t len);
// Writes the 28 bytes of `message` at `out`.
void write_arp(uint8_t* out, const ArpMessage& message);

} // namespace net
