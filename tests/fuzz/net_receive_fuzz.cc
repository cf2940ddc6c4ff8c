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
#include "net/dhcp_agent.h"
#include "net/stack.h"

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
    uint8_t op = data[at++] % 4;
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
