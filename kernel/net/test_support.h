// Host-test helpers for kernel/net: a clock the test advances, an Ethernet interface that
// records what the stack transmits, and builders for frames the tests feed in.
#pragma once

#include "net/bytes.h"
#include "net/checksum.h"
#include "net/clock.h"
#include "net/ethernet.h"
#include "net/interface.h"
#include "net/ipv4.h"
#include "net/stack.h"
#include "net/udp.h"

#include <cstring>
#include <vector>

namespace net::test {

class FakeClock : public Clock {
public:
  uint64_t now_ns() const override { return now; }
  void advance_ms(uint64_t ms) { now += ms * kNsPerMs; }
  uint64_t now = 1000 * kNsPerSecond;
};

using Bytes = std::vector<uint8_t>;

// Records transmitted frames; optionally hands them to a peer (a wire) instead.
class CaptureInterface : public Interface {
public:
  CaptureInterface(const char* name, MacAddress mac, uint32_t mtu = kEthernetMtu)
      : Interface(name, Link::kEthernet, mac, mtu) {
    set_up(true);
  }
  void transmit(PacketPtr frame) override {
    sent.emplace_back(frame->data(), frame->data() + frame->length());
    offload_flags.push_back(frame->tx_checksum_needed());
  }
  // The frames sent since the last call, oldest first.
  std::vector<Bytes> take() {
    std::vector<Bytes> out;
    out.swap(sent);
    offload_flags.clear();
    return out;
  }
  std::vector<Bytes> sent;
  std::vector<bool> offload_flags;
};

inline MacAddress mac(uint8_t last) {
  return {{0x02, 0x00, 0x00, 0x00, 0x00, last}};
}
inline Ipv4Address ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return Ipv4Address::from(a, b, c, d);
}

inline PacketPtr packet_of(const Bytes& bytes, size_t headroom = 64) {
  PacketPtr p = PacketPtr::allocate(headroom, bytes.size());
  p->append(bytes.data(), bytes.size());
  return p;
}

inline Bytes ethernet_frame(MacAddress to, MacAddress from, uint16_t type, const Bytes& payload) {
  Bytes f(kEthernetHeaderSize);
  write_ethernet(f.data(), EthernetHeader{to, from, type});
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

// An IPv4 datagram (20-byte header) around `payload`.
inline Bytes ipv4_datagram(Ipv4Address src, Ipv4Address dst, uint8_t protocol, const Bytes& payload,
                           uint16_t id = 1, uint16_t flags_fragment = 0, uint8_t ttl = 64) {
  Bytes d(kIpv4MinHeaderSize);
  Ipv4Header h;
  h.source = src;
  h.destination = dst;
  h.protocol = protocol;
  h.id = id;
  h.flags_fragment = flags_fragment;
  h.ttl = ttl;
  h.total_length = static_cast<uint16_t>(kIpv4MinHeaderSize + payload.size());
  write_ipv4(d.data(), h);
  d.insert(d.end(), payload.begin(), payload.end());
  return d;
}

inline Bytes udp_segment(Ipv4Address src, uint16_t sport, Ipv4Address dst, uint16_t dport,
                         const Bytes& data) {
  Bytes u(kUdpHeaderSize);
  u.insert(u.end(), data.begin(), data.end());
  write_udp(u.data(), sport, dport, static_cast<uint16_t>(u.size()), src, dst);
  return u;
}

inline Bytes text(const char* s) {
  return Bytes(s, s + std::strlen(s));
}

// Strips Ethernet + IPv4 headers; checks the EtherType. Empty when not IPv4.
struct ParsedFrame {
  EthernetHeader eth;
  Ipv4Header ip;
  Bytes payload; // after the IP header
  bool ok = false;
};
inline ParsedFrame parse_frame(const Bytes& frame) {
  ParsedFrame r;
  auto eh = parse_ethernet(frame.data(), frame.size());
  if (!eh || eh->ether_type != kEtherTypeIpv4)
    return r;
  r.eth = *eh;
  auto h = parse_ipv4(frame.data() + kEthernetHeaderSize, frame.size() - kEthernetHeaderSize);
  if (!h)
    return r;
  r.ip = *h;
  const uint8_t* p = frame.data() + kEthernetHeaderSize + h->header_length;
  r.payload.assign(p, p + h->payload_length());
  r.ok = true;
  return r;
}

// Two stacks joined by an Ethernet link: pump() carries the frames each side sent to the
// other until neither has anything left (or `max_frames` were carried).
struct Wire {
  Stack& a_stack;
  CaptureInterface& a;
  Stack& b_stack;
  CaptureInterface& b;
  size_t carried = 0;
  size_t pump(size_t max_frames = 1000) {
    size_t n = 0;
    while (n < max_frames && (!a.sent.empty() || !b.sent.empty())) {
      for (Bytes& f : a.take()) {
        b_stack.receive_frame(b, packet_of(f));
        ++n;
      }
      for (Bytes& f : b.take()) {
        a_stack.receive_frame(a, packet_of(f));
        ++n;
      }
    }
    carried += n;
    return n;
  }
};

} // namespace net::test
