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

// A segment as TCP hands it over: its first bytes (the header with its options, or the whole
// segment) and up to two more pieces of payload, which point into the connection's send
// buffer (a ring, hence two). The Link copies them once, into the packet that leaves.
struct Segment {
  const uint8_t* head = nullptr;
  size_t head_len = 0;
  const uint8_t* payload[2] = {};
  size_t payload_len[2] = {};

  size_t length() const { return head_len + payload_len[0] + payload_len[1]; }
  // Copies the whole segment to out (length() bytes).
  void copy_to(uint8_t* out) const {
    for (size_t i = 0; i < head_len; ++i)
      out[i] = head[i];
    out += head_len;
    for (int p = 0; p < 2; ++p)
      for (size_t i = 0; i < payload_len[p]; ++i)
        *out++ = payload[p][i];
  }
};

// The IP layer as TCP sees it.
class Link {
public:
  virtual ~Link() = default;
  // Sends one TCP segment from src to dst. The checksum field (bytes 16-17) is zero: the
  // implementation computes it over the pseudo-header or lets the NIC do it (checksum
  // offload). Must not call back into the TCP stack synchronously (queue the frame instead);
  // may drop the segment, as any network may. The pieces are only valid during the call.
  //
  // A segment whose payload is larger than the MSS (only when large_send_limit() allowed
  // it) is a "large send": the implementation or the NIC cuts it into MSS-sized segments
  // (TCP segmentation offload), each with the header's options.
  virtual void send(const IpAddr& src, const IpAddr& dst, const Segment& segment, uint16_t mss) = 0;
  // A contiguous segment (header then payload, `len` bytes).
  void send_segment(const IpAddr& src, const IpAddr& dst, const uint8_t* segment, size_t len) {
    Segment s;
    s.head = segment;
    s.head_len = len;
    send(src, dst, s, 0);
  }
  // The largest TCP payload a segment to dst may carry (path MTU minus IP and TCP headers
  // without options), e.g. 1460 for Ethernet and IPv4.
  virtual uint16_t mss_for(const IpAddr& dst) = 0;
  // The largest payload of one large send to dst (segmentation offload), 0 when every
  // segment must fit the MSS.
  virtual uint32_t large_send_limit(const IpAddr&) { return 0; }
};

} // namespace net::tcp
