// Link and network addresses: a 48-bit Ethernet MAC, an IPv4 address (kept as a host-order
// number, 0x7F000001 for 127.0.0.1, so masks and comparisons are plain arithmetic) and an
// IPv4 endpoint (address + port).
#pragma once

#include <stdint.h>

namespace net {

struct MacAddress {
  uint8_t bytes[6] = {};

  static constexpr MacAddress broadcast() { return {{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}}; }
  bool is_broadcast() const {
    for (uint8_t b : bytes)
      if (b != 0xFF)
        return false;
    return true;
  }
  // The group bit (the least significant bit of the first byte); broadcast is a group too.
  bool is_multicast() const { return (bytes[0] & 1) != 0; }
  bool is_zero() const {
    for (uint8_t b : bytes)
      if (b)
        return false;
    return true;
  }
  bool operator==(const MacAddress& o) const {
    for (int i = 0; i < 6; ++i)
      if (bytes[i] != o.bytes[i])
        return false;
    return true;
  }
};

struct Ipv4Address {
  uint32_t value = 0; // host order

  static constexpr Ipv4Address any() { return {0}; }
  static constexpr Ipv4Address broadcast() { return {0xFFFFFFFF}; }
  static constexpr Ipv4Address loopback() { return {0x7F000001}; }
  static constexpr Ipv4Address from(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return {uint32_t(a) << 24 | uint32_t(b) << 16 | uint32_t(c) << 8 | d};
  }
  bool is_any() const { return value == 0; }
  bool is_limited_broadcast() const { return value == 0xFFFFFFFF; }
  bool is_loopback() const { return (value >> 24) == 127; }   // 127.0.0.0/8
  bool is_multicast() const { return (value >> 28) == 0xE; }  // 224.0.0.0/4
  bool is_class_e() const { return (value >> 28) == 0xF; }    // 240.0.0.0/4 (reserved)
  bool is_this_network() const { return (value >> 24) == 0; } // 0.0.0.0/8
  bool operator==(const Ipv4Address& o) const { return value == o.value; }
  bool operator!=(const Ipv4Address& o) const { return value != o.value; }
};

// The netmask of a prefix length 0..32 (0 -> 0.0.0.0, 24 -> 255.255.255.0).
constexpr uint32_t prefix_mask(uint8_t prefix_length) {
  return prefix_length == 0    ? 0
         : prefix_length >= 32 ? 0xFFFFFFFF
                               : ~((1u << (32 - prefix_length)) - 1);
}
constexpr bool same_prefix(Ipv4Address a, Ipv4Address b, uint8_t prefix_length) {
  return ((a.value ^ b.value) & prefix_mask(prefix_length)) == 0;
}

struct Ipv4Endpoint {
  Ipv4Address addr;
  uint16_t port = 0;
  bool operator==(const Ipv4Endpoint& o) const { return addr == o.addr && port == o.port; }
};

} // namespace net
