// What the TCP engine needs from the world around it: a way to hand segments to the IP layer
// and a clock (net::Clock). Both are interfaces so the host tests can join two stacks with a
// simulated link on virtual time, and the kernel can later plug in the real IP layer and sched
// timers.
#pragma once

#include "net/clock.h" // net::Clock, shared with the IP layer

#include <stddef.h>
#include <stdint.h>

namespace net::tcp {

// An IP address of either family, kept in network byte order as 16 bytes so that IPv6 can
// use the same connection table later. IPv4 addresses occupy the first four bytes.
struct IpAddr {
  uint8_t family = 4; // 4 or 6
  uint8_t bytes[16] = {};

  // a is the address as a host-order number, e.g. 0x0A000001 for 10.0.0.1.
  static IpAddr v4(uint32_t a) {
    IpAddr r;
    r.bytes[0] = static_cast<uint8_t>(a >> 24);
    r.bytes[1] = static_cast<uint8_t>(a >> 16);
    r.bytes[2] = static_cast<uint8_t>(a >> 8);
    r.bytes[3] = static_cast<uint8_t>(a);
    return r;
  }
  uint32_t as_v4() const {
    return static_cast<uint32_t>(bytes[0]) << 24 | static_cast<uint32_t>(bytes[1]) << 16 |
           static_cast<uint32_t>(bytes[2]) << 8 | bytes[3];
  }
  bool is_any() const {
    for (uint8_t b : bytes)
      if (b)
        return false;
    return true;
  }
  bool operator==(const IpAddr& o) const {
    if (family != o.family)
      return false;
    for (int i = 0; i < 16; ++i)
      if (bytes[i] != o.bytes[i])
        return false;
    return true;
  }
};

struct Endpoint {
  IpAddr addr;
  uint16_t port = 0;
  bool operator==(const Endpoint& o) const { return port == o.port && addr == o.addr; }
};

// The IP layer as TCP sees it.
class Link {
public:
  virtual ~Link() = default;
  // Sends one TCP segment (header then payload, `len` bytes) from src to dst. The checksum
  // field (bytes 16-17) is zero: the implementation computes it over the pseudo-header or
  // lets the NIC do it (checksum offload). Must not call back into the TCP stack
  // synchronously (queue the frame instead); may drop the segment, as any network may.
  virtual void send_segment(const IpAddr& src, const IpAddr& dst, const uint8_t* segment,
                            size_t len) = 0;
  // The largest TCP payload a segment to dst may carry (path MTU minus IP and TCP headers
  // without options), e.g. 1460 for Ethernet and IPv4.
  virtual uint16_t mss_for(const IpAddr& dst) = 0;
};

} // namespace net::tcp
