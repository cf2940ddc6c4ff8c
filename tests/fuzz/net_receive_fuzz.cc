// libFuzzer target for kernel/net's receive path: any sequence of frames, fed to a configured
// Stack (an Ethernet interface with an address and a default route, the loopback, UDP
// sockets, a DHCP client waiting for an offer, a stand-in TCP handler), interleaved with
// time passing, must never crash, hang or leak. The stack's replies go to a device that
// counts and frees them.
//
// Input: a sequence of records. Each starts with an opcode byte:
//   0: a frame for eth0: 2 bytes of length (big-endian), then that many bytes
//   1: an IPv4 datagram sent over loopback (same length prefix), delivered by poll()
//   2: time passes (the next byte * 250 ms), then the timers run
//   3: every socket's queue is read out
//   4: a well-formed datagram for eth0 (so the fuzzer gets past the checksums): a 12-byte
//      description (protocol, id, flags/fragment offset, source and destination picks,
//      ports, ICMP type/code), 2 bytes of payload length, the payload; the harness writes
//      the headers with correct checksums
#include "net/bytes.h"
#include "net/checksum.h"
#include "net/dhcp_agent.h"
#include "net/ethernet.h"
#include "net/icmp.h"
#include "net/stack.h"
#include "net/udp.h"

#include <cstddef>
#include <cstdint>

namespace {

class FuzzClock : public net::Clock {
public:
  uint64_t now_ns() const override { return now; }
  uint64_t now = 5 * net::kNsPerSecond;
};

class SinkInterface : public net::Interface {
public:
  SinkInterface()
      : net::Interface("eth0", Link::kEthernet, net::MacAddress{{2, 0, 0, 0, 0, 1}}, 1500) {
    set_up(true);
  }
  void transmit(net::PacketPtr frame) override { sent += frame->length(); }
  size_t sent = 0;
};

struct NullTcp : net::ProtocolHandler {
  net::Delivery receive(const net::Ipv4Header&, net::PacketPtr& payload) override {
    for (size_t i = 0; i < payload->length(); ++i)
      sink ^= payload->data()[i];
    return payload->length() % 2 ? net::Delivery::kNoListener : net::Delivery::kDelivered;
  }
  void icmp_error(const net::IcmpError& e) override { sink ^= static_cast<uint8_t>(e.error); }
  uint8_t sink = 0;
};

void drain(net::UdpTable& udp, net::UdpSocket& s) {
  uint8_t buf[2048];
  for (int i = 0; i < 64; ++i) {
    auto r = udp.receive_from(s, buf, sizeof buf, (i & 1) == 0 && i < 2);
    if (!r && r.error() == -EAGAIN)
      return;
  }
}

// Op 4: builds the frame described by d[0..12) around `payload` (see the file comment).
net::PacketPtr structured_frame(const uint8_t* d, const uint8_t* payload, size_t len) {
  using namespace net;
  static constexpr Ipv4Address kAddresses[] = {
      Ipv4Address::from(10, 0, 2, 15), Ipv4Address::from(10, 0, 2, 3),
      Ipv4Address::from(10, 0, 2, 2),  Ipv4Address::from(10, 0, 2, 255),
      Ipv4Address::broadcast(),        Ipv4Address::from(224, 0, 0, 251),
      Ipv4Address::from(8, 8, 8, 8),   Ipv4Address::from(127, 0, 0, 1)};
  static constexpr uint16_t kPorts[] = {53, 7, 9, 5353, 68, 67, 1234, 0};
  uint8_t protocol = d[0] % 4 == 0   ? kIpProtocolUdp
                     : d[0] % 4 == 1 ? kIpProtocolIcmp
                     : d[0] % 4 == 2 ? kIpProtocolTcp
                                     : d[0];
  Ipv4Address src = kAddresses[d[5] % 8], dst = kAddresses[d[6] % 8];
  size_t transport = protocol == kIpProtocolUdp    ? kUdpHeaderSize
                     : protocol == kIpProtocolIcmp ? kIcmpHeaderSize
                                                   : 0;
  PacketPtr p = PacketPtr::allocate(kPacketHeadroom, transport + len);
  if (!p)
    return p;
  uint8_t* t = p->put(transport);
  p->append(payload, len);
  bool fragment = (d[3] & 0x3F) != 0 || (d[4] & 0x80); // then the checksum is not for us
  if (protocol == kIpProtocolUdp) {
    uint16_t total = static_cast<uint16_t>(p->length());
    if (fragment) {
      put_be16(t, kPorts[d[7] % 8]);
      put_be16(t + 2, kPorts[d[8] % 8]);
      put_be16(t + 4, static_cast<uint16_t>(total + d[9]));
      put_be16(t + 6, 0);
    } else {
      write_udp(t, kPorts[d[7] % 8], kPorts[d[8] % 8], total, src, dst);
    }
  } else if (protocol == kIpProtocolIcmp) {
    uint8_t rest[4] = {d[9], d[10], d[11], d[7]};
    finish_icmp(t, p->length(), d[7] % 16, d[8] % 8, rest);
  }
  Ipv4Header h;
  h.protocol = protocol;
  h.id = get_be16(d + 1);
  h.flags_fragment = static_cast<uint16_t>((d[3] & 0x3F) << 8 | d[4]) |
                     ((d[3] & 0x40) ? kIpv4FlagDontFragment : 0);
  if (d[3] & 0x80)
    h.flags_fragment |= kIpv4FlagMoreFragments;
  h.source = src;
  h.destination = dst;
  h.total_length = static_cast<uint16_t>(p->length() + kIpv4MinHeaderSize);
  write_ipv4(p->push(kIpv4MinHeaderSize), h);
  EthernetHeader eh{dst.is_limited_broadcast() ? MacAddress::broadcast()
                                               : MacAddress{{2, 0, 0, 0, 0, 1}},
                    MacAddress{{2, 0, 0, 0, 0, 3}}, kEtherTypeIpv4};
  push_ethernet(*p, eh);
  return p;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace net;
  FuzzClock clock;
  Stack stack(clock);
  SinkInterface eth0;
  if (!stack.add_interface(eth0) || !stack.set_address(eth0, Ipv4Address::from(10, 0, 2, 15), 24) ||
      !stack.set_default_route(Ipv4Address::from(10, 0, 2, 2), eth0))
    __builtin_trap();
  NullTcp tcp;
  (void)stack.register_protocol(kIpProtocolTcp, tcp);
  UdpSocket any53, lo_bound, connected, reuse1, reuse2;
  (void)stack.udp().bind(any53, {Ipv4Address::any(), 53});
  (void)stack.udp().bind(lo_bound, {Ipv4Address::loopback(), 7});
  (void)stack.udp().connect(connected, {Ipv4Address::from(10, 0, 2, 3), 9});
  reuse1.reuse_port = reuse2.reuse_port = true;
  (void)stack.udp().bind(reuse1, {Ipv4Address::any(), 5353});
  (void)stack.udp().bind(reuse2, {Ipv4Address::any(), 5353});
  // A second interface for DHCP, unconfigured, as at boot.
  SinkInterface eth1;
  (void)stack.add_interface(eth1);
  DhcpAgent dhcp(stack, eth1, 1234);
  (void)dhcp.start();

  size_t at = 0;
  while (at < size) {
    uint8_t op = data[at++] % 5;
    if (op == 0 || op == 1) {
      if (at + 2 > size)
        break;
      size_t len = size_t(data[at]) << 8 | data[at + 1];
      at += 2;
      if (len > size - at)
        len = size - at;
      PacketPtr p = PacketPtr::allocate(op == 0 ? 2 : kPacketHeadroom, len);
      if (!p)
        break;
      p->append(data + at, len);
      at += len;
      if (op == 0) {
        // Every other frame goes to the DHCP interface (offers and acks reach it there).
        stack.receive_frame((len & 1) ? eth1 : eth0, p.take());
      } else {
        stack.loopback().transmit(p.take());
        stack.poll();
      }
    } else if (op == 4) {
      if (at + 14 > size)
        break;
      const uint8_t* description = data + at;
      size_t len = size_t(data[at + 12]) << 8 | data[at + 13];
      at += 14;
      if (len > size - at)
        len = size - at;
      PacketPtr p = structured_frame(description, data + at, len);
      at += len;
      if (p)
        stack.receive_frame(eth0, p.take());
    } else if (op == 2) {
      uint64_t steps = at < size ? data[at++] : 1;
      clock.now += steps * 250 * kNsPerMs;
      stack.tick();
      dhcp.tick();
    } else {
      UdpSocket* sockets[] = {&any53, &lo_bound, &connected, &reuse1, &reuse2};
      for (UdpSocket* s : sockets)
        drain(stack.udp(), *s);
    }
  }
  return 0;
}
