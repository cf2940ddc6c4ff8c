// The Stack end to end on simulated links: ARP, IPv4 in and out, ICMP, loopback, path MTU,
// fragmentation, protocol dispatch.
#include "net/arp.h"
#include "net/icmp.h"
#include "net/stack.h"
#include "net/test_support.h"

#include <gtest/gtest.h>

namespace net {
namespace {
using test::Bytes;
using test::ip;
using test::mac;

ArpMessage arp_of(const Bytes& frame) {
  auto eh = parse_ethernet(frame.data(), frame.size());
  EXPECT_TRUE(eh && eh->ether_type == kEtherTypeArp);
  auto m = parse_arp(frame.data() + kEthernetHeaderSize, frame.size() - kEthernetHeaderSize);
  EXPECT_TRUE(m);
  return m ? *m : ArpMessage();
}

Bytes arp_frame(uint16_t op, MacAddress from_mac, Ipv4Address from_ip, MacAddress to_mac,
                Ipv4Address to_ip, MacAddress eth_to) {
  ArpMessage m;
  m.operation = op;
  m.sender_mac = from_mac;
  m.sender_ip = from_ip;
  m.target_mac = to_mac;
  m.target_ip = to_ip;
  Bytes body(kArpMessageSize);
  write_arp(body.data(), m);
  return test::ethernet_frame(eth_to, from_mac, kEtherTypeArp, body);
}

class StackTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(stack.add_interface(eth0));
    ASSERT_TRUE(stack.set_address(eth0, kMe, 24));
    ASSERT_TRUE(stack.set_default_route(kGateway, eth0));
  }
  // Teaches the stack a neighbour's MAC with an ARP request addressed to us.
  void learn(Ipv4Address who, MacAddress m) {
    stack.receive_frame(eth0, test::packet_of(arp_frame(kArpRequest, m, who, MacAddress{}, kMe,
                                                        MacAddress::broadcast())));
    eth0.take(); // our reply
  }
  void feed_ipv4(MacAddress from, const Bytes& datagram, MacAddress to = mac(1)) {
    stack.receive_frame(eth0,
                        test::packet_of(test::ethernet_frame(to, from, kEtherTypeIpv4, datagram)));
  }

  static constexpr Ipv4Address kMe = Ipv4Address::from(10, 0, 2, 15);
  static constexpr Ipv4Address kGateway = Ipv4Address::from(10, 0, 2, 2);
  static constexpr Ipv4Address kPeer = Ipv4Address::from(10, 0, 2, 3);
  test::FakeClock clock;
  Stack stack{clock};
  test::CaptureInterface eth0{"eth0", mac(1)};
};

TEST_F(StackTest, SendResolvesWithArpAndFlushesThePendingDatagram) {
  UdpSocket s;
  Ipv4Endpoint to{kPeer, 9};
  ASSERT_TRUE(stack.udp().send_to(s, "hello", 5, &to));
  auto frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  ArpMessage req = arp_of(frames[0]);
  EXPECT_EQ(req.operation, kArpRequest);
  EXPECT_EQ(req.sender_ip, kMe);
  EXPECT_EQ(req.sender_mac, mac(1));
  EXPECT_EQ(req.target_ip, kPeer);
  EXPECT_TRUE(parse_ethernet(frames[0].data(), 14)->destination.is_broadcast());

  stack.receive_frame(eth0,
                      test::packet_of(arp_frame(kArpReply, mac(3), kPeer, mac(1), kMe, mac(1))));
  frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  auto f = test::parse_frame(frames[0]);
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.eth.destination, mac(3));
  EXPECT_EQ(f.ip.source, kMe);
  EXPECT_EQ(f.ip.destination, kPeer);
  EXPECT_EQ(f.ip.protocol, kIpProtocolUdp);
  // No offload on this interface: the stack computed the UDP checksum; it verifies.
  auto u = parse_udp(f.payload.data(), f.payload.size(), kMe, kPeer, false);
  ASSERT_TRUE(u);
  EXPECT_NE(u->checksum, 0);
  EXPECT_EQ(u->destination_port, 9);
  EXPECT_EQ(Bytes(f.payload.begin() + 8, f.payload.end()), test::text("hello"));
  stack.udp().close(s);
}

TEST_F(StackTest, ArpGivesUpAfterThreeRequests) {
  UdpSocket s;
  Ipv4Endpoint to{kPeer, 9};
  ASSERT_TRUE(stack.udp().send_to(s, "x", 1, &to));
  EXPECT_EQ(eth0.take().size(), 1u);
  for (int i = 0; i < 5; ++i) {
    clock.advance_ms(1000);
    stack.tick();
  }
  EXPECT_EQ(stack.stats().arp_requests_out, uint64_t(ArpCache::kMaxRequests));
  EXPECT_EQ(eth0.arp.size(), 0u); // the entry and its datagram are gone
  stack.udp().close(s);
}

TEST_F(StackTest, AnswersArpRequestsAndLearnsTheAsker) {
  stack.receive_frame(eth0, test::packet_of(arp_frame(kArpRequest, mac(3), kPeer, MacAddress{}, kMe,
                                                      MacAddress::broadcast())));
  auto frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  ArpMessage reply = arp_of(frames[0]);
  EXPECT_EQ(reply.operation, kArpReply);
  EXPECT_EQ(reply.sender_mac, mac(1));
  EXPECT_EQ(reply.sender_ip, kMe);
  EXPECT_EQ(reply.target_mac, mac(3));
  EXPECT_EQ(reply.target_ip, kPeer);
  EXPECT_EQ(parse_ethernet(frames[0].data(), 14)->destination, mac(3));
  // The asker is now known: a datagram to it goes out at once.
  UdpSocket s;
  Ipv4Endpoint to{kPeer, 9};
  ASSERT_TRUE(stack.udp().send_to(s, "x", 1, &to));
  frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_TRUE(test::parse_frame(frames[0]).ok);
  stack.udp().close(s);
  // Requests for other addresses get no answer.
  stack.receive_frame(eth0,
                      test::packet_of(arp_frame(kArpRequest, mac(4), ip(10, 0, 2, 4), MacAddress{},
                                                ip(10, 0, 2, 99), MacAddress::broadcast())));
  EXPECT_TRUE(eth0.take().empty());
}

TEST_F(StackTest, OffLinkDestinationsGoThroughTheGateway) {
  UdpSocket s;
  Ipv4Endpoint to{ip(8, 8, 8, 8), 53};
  ASSERT_TRUE(stack.udp().send_to(s, "q", 1, &to));
  auto frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(arp_of(frames[0]).target_ip, kGateway);
  stack.udp().close(s);
  // Without a default route there is no way there.
  stack.clear_default_route(eth0);
  EXPECT_EQ(stack.udp().send_to(s, "q", 1, &to).error(), -ENETUNREACH);
  stack.udp().close(s);
}

TEST_F(StackTest, RepliesToEcho) {
  learn(kPeer, mac(3));
  Bytes echo(kIcmpHeaderSize + 6, 0);
  std::memcpy(echo.data() + 8, "abcdef", 6);
  const uint8_t rest[4] = {0xBE, 0xEF, 0x00, 0x01};
  finish_icmp(echo.data(), echo.size(), kIcmpEchoRequest, 0, rest);
  feed_ipv4(mac(3), test::ipv4_datagram(kPeer, kMe, kIpProtocolIcmp, echo));
  auto frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  auto f = test::parse_frame(frames[0]);
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.eth.destination, mac(3));
  EXPECT_EQ(f.ip.source, kMe);
  EXPECT_EQ(f.ip.destination, kPeer);
  auto m = parse_icmp(f.payload.data(), f.payload.size());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, kIcmpEchoReply);
  EXPECT_EQ(Bytes(m->rest, m->rest + 4), Bytes(rest, rest + 4));
  EXPECT_EQ(Bytes(m->body, m->body + m->body_length), test::text("abcdef"));
  // An echo request to the broadcast address is ignored.
  feed_ipv4(mac(3), test::ipv4_datagram(kPeer, ip(10, 0, 2, 255), kIpProtocolIcmp, echo),
            MacAddress::broadcast());
  EXPECT_TRUE(eth0.take().empty());
}

TEST_F(StackTest, ClosedPortAnswersPortUnreachable) {
  learn(kPeer, mac(3));
  Bytes datagram = test::ipv4_datagram(kPeer, kMe, kIpProtocolUdp,
                                       test::udp_segment(kPeer, 4444, kMe, 9999, test::text("hi")));
  feed_ipv4(mac(3), datagram);
  auto frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  auto f = test::parse_frame(frames[0]);
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.ip.protocol, kIpProtocolIcmp);
  auto m = parse_icmp(f.payload.data(), f.payload.size());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, kIcmpDestinationUnreachable);
  EXPECT_EQ(m->code, kIcmpPortUnreachable);
  // It quotes the IP header and the first 8 bytes: the UDP header.
  ASSERT_EQ(m->body_length, 28u);
  EXPECT_EQ(Bytes(m->body, m->body + 28), Bytes(datagram.begin(), datagram.begin() + 28));
  // Not for a broadcast datagram.
  feed_ipv4(mac(3),
            test::ipv4_datagram(kPeer, Ipv4Address::broadcast(), kIpProtocolUdp,
                                test::udp_segment(kPeer, 4444, Ipv4Address::broadcast(), 9999, {})),
            MacAddress::broadcast());
  EXPECT_TRUE(eth0.take().empty());
}

TEST_F(StackTest, UnknownProtocolAnswersProtocolUnreachable) {
  learn(kPeer, mac(3));
  feed_ipv4(mac(3), test::ipv4_datagram(kPeer, kMe, 99, Bytes(8)));
  auto frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  auto f = test::parse_frame(frames[0]);
  auto m = parse_icmp(f.payload.data(), f.payload.size());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->code, kIcmpProtocolUnreachable);
}

struct RecordingHandler : ProtocolHandler {
  Delivery receive(const Ipv4Header& header, PacketPtr& payload) override {
    checksum_ok = transport_checksum_ok(header, *payload);
    last_source = header.source;
    data.assign(payload->data(), payload->data() + payload->length());
    return Delivery::kDelivered;
  }
  void icmp_error(const IcmpError& e) override { errors.push_back(e.error); }
  Ipv4Address last_source;
  Bytes data;
  bool checksum_ok = false;
  std::vector<int> errors;
};

TEST_F(StackTest, RegisteredProtocolsGetTheirDatagramsAndErrors) {
  RecordingHandler tcp;
  ASSERT_TRUE(stack.register_protocol(kIpProtocolTcp, tcp));
  EXPECT_FALSE(stack.register_protocol(kIpProtocolTcp, tcp)); // taken
  learn(kPeer, mac(3));
  feed_ipv4(mac(3), test::ipv4_datagram(kPeer, kMe, kIpProtocolTcp, test::text("segment!")));
  EXPECT_EQ(tcp.last_source, kPeer);
  EXPECT_EQ(tcp.data, test::text("segment!"));
  EXPECT_FALSE(tcp.checksum_ok); // "segment!" carries no valid TCP checksum
  EXPECT_TRUE(eth0.take().empty());
  // A payload whose checksum (in bytes 16-17, as TCP's) covers the pseudo-header passes.
  Bytes seg(20, 0);
  Checksum sum;
  sum.add_pseudo_header_ipv4(kPeer.value, kMe.value, kIpProtocolTcp, 20);
  sum.add(seg.data(), seg.size());
  put_be16(seg.data() + 16, sum.finish());
  feed_ipv4(mac(3), test::ipv4_datagram(kPeer, kMe, kIpProtocolTcp, seg));
  EXPECT_TRUE(tcp.checksum_ok);
  // An ICMP error quoting a TCP datagram we sent reaches the handler.
  Bytes quoted = test::ipv4_datagram(kMe, kPeer, kIpProtocolTcp, Bytes(8));
  Bytes icmp(kIcmpHeaderSize);
  icmp.insert(icmp.end(), quoted.begin(), quoted.end());
  const uint8_t rest[4] = {};
  finish_icmp(icmp.data(), icmp.size(), kIcmpDestinationUnreachable, kIcmpHostUnreachable, rest);
  feed_ipv4(mac(3), test::ipv4_datagram(kGateway, kMe, kIpProtocolIcmp, icmp));
  ASSERT_EQ(tcp.errors.size(), 1u);
  EXPECT_EQ(tcp.errors[0], kEhostunreach);
  // An error quoting a datagram that was not ours is ignored.
  Bytes forged = test::ipv4_datagram(ip(1, 1, 1, 1), kPeer, kIpProtocolTcp, Bytes(8));
  Bytes icmp2(kIcmpHeaderSize);
  icmp2.insert(icmp2.end(), forged.begin(), forged.end());
  finish_icmp(icmp2.data(), icmp2.size(), kIcmpDestinationUnreachable, kIcmpHostUnreachable, rest);
  feed_ipv4(mac(3), test::ipv4_datagram(kGateway, kMe, kIpProtocolIcmp, icmp2));
  EXPECT_EQ(tcp.errors.size(), 1u);
  stack.unregister_protocol(kIpProtocolTcp);
}

TEST_F(StackTest, FragmentationNeededLowersThePathMtu) {
  Ipv4Address far = ip(93, 184, 216, 34);
  EXPECT_EQ(stack.path_mtu(far), 1500u);
  Bytes quoted = test::ipv4_datagram(kMe, far, kIpProtocolUdp, Bytes(1472));
  quoted.resize(28);
  Bytes icmp(kIcmpHeaderSize);
  icmp.insert(icmp.end(), quoted.begin(), quoted.end());
  const uint8_t rest[4] = {0, 0, 0x05, 0x78}; // next-hop MTU 1400
  finish_icmp(icmp.data(), icmp.size(), kIcmpDestinationUnreachable, kIcmpFragmentationNeeded,
              rest);
  feed_ipv4(mac(2), test::ipv4_datagram(kGateway, kMe, kIpProtocolIcmp, icmp));
  EXPECT_EQ(stack.path_mtu(far), 1400u);
  EXPECT_EQ(stack.path_mtu(kPeer), 1500u); // only that destination
  // A report of a larger MTU does not raise it.
  icmp[6] = 0x05;
  icmp[7] = 0xDC;
  icmp[2] = icmp[3] = 0;
  finish_icmp(icmp.data(), icmp.size(), kIcmpDestinationUnreachable, kIcmpFragmentationNeeded,
              icmp.data() + 4);
  feed_ipv4(mac(2), test::ipv4_datagram(kGateway, kMe, kIpProtocolIcmp, icmp));
  EXPECT_EQ(stack.path_mtu(far), 1400u);
  // A 1400-byte datagram still fits; a larger UDP datagram now goes in two fragments.
  learn(kGateway, mac(2));
  UdpSocket s;
  Ipv4Endpoint to{far, 7};
  Bytes data(1400);
  ASSERT_TRUE(stack.udp().send_to(s, data.data(), data.size(), &to));
  auto frames = eth0.take();
  ASSERT_EQ(frames.size(), 2u);
  auto first = test::parse_frame(frames[0]);
  EXPECT_TRUE(first.ip.more_fragments());
  EXPECT_LE(first.ip.total_length, 1400);
  // The path MTU is forgotten after ten minutes.
  clock.now += PathMtuCache::kAge;
  EXPECT_EQ(stack.path_mtu(far), 1500u);
  stack.udp().close(s);
}

// A "fragmentation needed" with a tiny MTU (anyone can forge one) lowers the path MTU only
// to 576: TCP's smallest segments must still go through.
TEST_F(StackTest, ATinyReportedMtuStopsAt576) {
  Ipv4Address far = ip(93, 184, 216, 34);
  Bytes quoted = test::ipv4_datagram(kMe, far, kIpProtocolTcp, Bytes(20));
  quoted.resize(28);
  Bytes icmp(kIcmpHeaderSize);
  icmp.insert(icmp.end(), quoted.begin(), quoted.end());
  for (uint8_t mtu : {uint8_t{8}, uint8_t{68}, uint8_t{96}}) {
    const uint8_t rest[4] = {0, 0, 0, mtu};
    finish_icmp(icmp.data(), icmp.size(), kIcmpDestinationUnreachable, kIcmpFragmentationNeeded,
                rest);
    feed_ipv4(mac(2), test::ipv4_datagram(kGateway, kMe, kIpProtocolIcmp, icmp));
    EXPECT_EQ(stack.path_mtu(far), mtu < 68 ? 1500u : 576u) << "reported " << int{mtu};
  }
  // RFC 1191's plateaus for a report of 0 end at 68 for such a short datagram: 576 too.
  const uint8_t zero[4] = {0, 0, 0, 0};
  clock.now += PathMtuCache::kAge;
  finish_icmp(icmp.data(), icmp.size(), kIcmpDestinationUnreachable, kIcmpFragmentationNeeded,
              zero);
  feed_ipv4(mac(2), test::ipv4_datagram(kGateway, kMe, kIpProtocolIcmp, icmp));
  EXPECT_EQ(stack.path_mtu(far), 576u);
}

TEST_F(StackTest, TransmitChecksumOffloadLeavesTheSumToTheDevice) {
  eth0.tx_checksum_offload = true;
  learn(kPeer, mac(3));
  UdpSocket s;
  Ipv4Endpoint to{kPeer, 9};
  ASSERT_TRUE(stack.udp().send_to(s, "abc", 3, &to));
  ASSERT_EQ(eth0.sent.size(), 1u);
  EXPECT_TRUE(eth0.offload_flags[0]);
  auto f = test::parse_frame(eth0.take()[0]);
  // The field holds the pseudo-header sum, as virtio's NEEDS_CSUM expects.
  uint16_t field = get_be16(f.payload.data() + 6);
  EXPECT_EQ(field, checksum_fold(pseudo_header_ipv4(kMe.value, kPeer.value, 17, 11)));
  stack.udp().close(s);
}

TEST_F(StackTest, ReceiveChecksumValidFlagSkipsTheCheck) {
  UdpSocket s;
  ASSERT_TRUE(stack.udp().bind(s, {Ipv4Address::any(), 5000}));
  Bytes u = test::udp_segment(kPeer, 1, kMe, 5000, test::text("data"));
  u[7] ^= 0x55; // corrupt the checksum
  Bytes frame = test::ethernet_frame(mac(1), mac(3), kEtherTypeIpv4,
                                     test::ipv4_datagram(kPeer, kMe, kIpProtocolUdp, u));
  stack.receive_frame(eth0, test::packet_of(frame));
  EXPECT_EQ(s.queued_datagrams(), 0u); // dropped
  PacketPtr p = test::packet_of(frame);
  p->rx_checksum_valid = true; // the device checked it
  stack.receive_frame(eth0, p.take());
  EXPECT_EQ(s.queued_datagrams(), 1u);
  stack.udp().close(s);
}

TEST_F(StackTest, DropsMalformedAndForeignFrames) {
  UdpSocket s;
  ASSERT_TRUE(stack.udp().bind(s, {Ipv4Address::any(), 5000}));
  Bytes good = test::ipv4_datagram(kPeer, kMe, kIpProtocolUdp,
                                   test::udp_segment(kPeer, 1, kMe, 5000, test::text("x")));
  feed_ipv4(mac(3), good, mac(9)); // another station's MAC
  Bytes spoof = test::ipv4_datagram(ip(127, 0, 0, 1), kMe, kIpProtocolUdp,
                                    test::udp_segment(ip(127, 0, 0, 1), 1, kMe, 5000, {}));
  feed_ipv4(mac(3), spoof); // loopback source from a wire
  Bytes other = test::ipv4_datagram(kPeer, ip(10, 0, 2, 77), kIpProtocolUdp,
                                    test::udp_segment(kPeer, 1, ip(10, 0, 2, 77), 5000, {}));
  feed_ipv4(mac(3), other); // not our address: we do not forward
  Bytes truncated = good;
  truncated.resize(good.size() - 3);
  feed_ipv4(mac(3), truncated);
  EXPECT_EQ(s.queued_datagrams(), 0u);
  EXPECT_TRUE(eth0.take().empty());
  feed_ipv4(mac(3), good);
  EXPECT_EQ(s.queued_datagrams(), 1u);
  stack.udp().close(s);
}

TEST_F(StackTest, LoopbackDeliversOnPoll) {
  UdpSocket server, client;
  ASSERT_TRUE(stack.udp().bind(server, {Ipv4Address::loopback(), 7000}));
  Ipv4Endpoint to{Ipv4Address::loopback(), 7000};
  ASSERT_TRUE(stack.udp().send_to(client, "ping", 4, &to));
  EXPECT_EQ(server.queued_datagrams(), 0u); // not delivered re-entrantly
  EXPECT_EQ(stack.poll(), 1u);
  char buf[16];
  auto r = stack.udp().receive_from(server, buf, sizeof buf, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->length, 4u);
  EXPECT_EQ(std::memcmp(buf, "ping", 4), 0);
  EXPECT_EQ(r->from.addr, Ipv4Address::loopback());
  EXPECT_EQ(r->from.port, client.local().port);
  EXPECT_TRUE(eth0.take().empty()); // nothing went to the wire
  // Our own Ethernet address also loops back; so does all of 127/8.
  UdpSocket any;
  ASSERT_TRUE(stack.udp().bind(any, {Ipv4Address::any(), 7001}));
  Ipv4Endpoint self{kMe, 7001}, other_lo{ip(127, 1, 2, 3), 7001};
  ASSERT_TRUE(stack.udp().send_to(client, "a", 1, &self));
  ASSERT_TRUE(stack.udp().send_to(client, "b", 1, &other_lo));
  stack.poll();
  EXPECT_EQ(any.queued_datagrams(), 2u);
  r = stack.udp().receive_from(any, buf, sizeof buf, false);
  EXPECT_EQ(r->from.addr, kMe);
  EXPECT_TRUE(eth0.take().empty());
  stack.udp().close(server);
  stack.udp().close(client);
  stack.udp().close(any);
}

TEST_F(StackTest, LoopbackPingOfOurselves) {
  Bytes echo(kIcmpHeaderSize + 2, 0);
  const uint8_t rest[4] = {0, 1, 0, 1};
  finish_icmp(echo.data(), echo.size(), kIcmpEchoRequest, 0, rest);
  PacketPtr p = test::packet_of(echo, kPacketHeadroom);
  ASSERT_TRUE(stack.send(Ipv4Address::any(), Ipv4Address::loopback(), kIpProtocolIcmp, p.take()));
  stack.poll(); // the request arrives and the reply is sent (and delivered, and ignored)
  EXPECT_EQ(stack.stats().icmp_echo_replies, 1u);
}

TEST_F(StackTest, IcmpErrorsAreRateLimited) {
  learn(kPeer, mac(3));
  for (int i = 0; i < 200; ++i)
    feed_ipv4(mac(3), test::ipv4_datagram(kPeer, kMe, kIpProtocolUdp,
                                          test::udp_segment(kPeer, 1, kMe, 9, {})));
  EXPECT_EQ(eth0.take().size(), size_t(Stack::kIcmpBurst));
  EXPECT_EQ(stack.stats().icmp_rate_limited, 200u - Stack::kIcmpBurst);
  clock.advance_ms(5);
  feed_ipv4(mac(3), test::ipv4_datagram(kPeer, kMe, kIpProtocolUdp,
                                        test::udp_segment(kPeer, 1, kMe, 9, {})));
  EXPECT_EQ(eth0.take().size(), 1u);
}

// ---- two stacks on one Ethernet ----

class TwoStacks : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(a.add_interface(a_eth));
    ASSERT_TRUE(b.add_interface(b_eth));
    ASSERT_TRUE(a.set_address(a_eth, kA, 24));
    ASSERT_TRUE(b.set_address(b_eth, kB, 24));
  }
  static constexpr Ipv4Address kA = Ipv4Address::from(192, 168, 1, 10);
  static constexpr Ipv4Address kB = Ipv4Address::from(192, 168, 1, 20);
  test::FakeClock clock;
  Stack a{clock}, b{clock};
  test::CaptureInterface a_eth{"eth0", mac(0xA)}, b_eth{"eth0", mac(0xB)};
  test::Wire wire{a, a_eth, b, b_eth};
};

TEST_F(TwoStacks, ConnectedUdpSenderSeesConnectionRefused) {
  UdpSocket client;
  ASSERT_TRUE(a.udp().connect(client, {kB, 9999}));
  EXPECT_EQ(client.local().addr, kA); // connect chose the source address
  ASSERT_TRUE(a.udp().send_to(client, "anyone?", 7, nullptr));
  wire.pump(); // ARP, the datagram, B's port unreachable back
  EXPECT_TRUE(client.readable());
  char buf[8];
  EXPECT_EQ(a.udp().receive_from(client, buf, sizeof buf, false).error(), -ECONNREFUSED);
  // Reported once.
  EXPECT_EQ(a.udp().receive_from(client, buf, sizeof buf, false).error(), -EAGAIN);
  // Once B listens, the same socket works.
  UdpSocket server;
  ASSERT_TRUE(b.udp().bind(server, {Ipv4Address::any(), 9999}));
  ASSERT_TRUE(a.udp().send_to(client, "now", 3, nullptr));
  wire.pump();
  auto r = b.udp().receive_from(server, buf, sizeof buf, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->from.addr, kA);
  // And the reply reaches the connected client.
  ASSERT_TRUE(b.udp().send_to(server, "yes", 3, &r->from));
  wire.pump();
  r = a.udp().receive_from(client, buf, sizeof buf, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(std::memcmp(buf, "yes", 3), 0);
  a.udp().close(client);
  b.udp().close(server);
}

TEST_F(TwoStacks, UnconnectedSenderIsNotTold) {
  UdpSocket client;
  Ipv4Endpoint to{kB, 9999};
  ASSERT_TRUE(a.udp().send_to(client, "x", 1, &to));
  wire.pump();
  EXPECT_EQ(a.stats().icmp_errors_in, 1u);
  EXPECT_FALSE(client.readable()); // as Linux without IP_RECVERR
  a.udp().close(client);
}

TEST_F(TwoStacks, LargeDatagramsFragmentAndReassemble) {
  UdpSocket server, client;
  ASSERT_TRUE(b.udp().bind(server, {kB, 4000}));
  Bytes data(9000);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = uint8_t(i ^ (i >> 8));
  Ipv4Endpoint to{kB, 4000};
  ASSERT_TRUE(a.udp().send_to(client, data.data(), data.size(), &to));
  wire.pump();
  EXPECT_EQ(a.stats().fragments_out, 7u); // 9008 bytes in 1480-byte pieces
  Bytes got(10000);
  auto r = b.udp().receive_from(server, got.data(), got.size(), false);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->length, data.size());
  got.resize(r->length);
  EXPECT_EQ(got, data);
  EXPECT_EQ(b.reassembler().stats().completed, 1u);
  a.udp().close(client);
  b.udp().close(server);
}

TEST_F(TwoStacks, BroadcastReachesEveryListener) {
  UdpSocket s1, s2, sender;
  s1.reuse_address = s2.reuse_address = true;
  ASSERT_TRUE(b.udp().bind(s1, {Ipv4Address::any(), 6000}));
  ASSERT_TRUE(b.udp().bind(s2, {Ipv4Address::any(), 6000}));
  Ipv4Endpoint to{Ipv4Address::broadcast(), 6000};
  EXPECT_EQ(a.udp().send_to(sender, "all", 3, &to).error(), -EACCES); // no SO_BROADCAST
  sender.broadcast = true;
  ASSERT_TRUE(a.udp().send_to(sender, "all", 3, &to));
  Ipv4Endpoint subnet{ip(192, 168, 1, 255), 6000};
  ASSERT_TRUE(a.udp().send_to(sender, "net", 3, &subnet));
  auto frames = a_eth.sent;
  ASSERT_EQ(frames.size(), 2u); // no ARP for broadcasts
  EXPECT_TRUE(parse_ethernet(frames[0].data(), 14)->destination.is_broadcast());
  wire.pump();
  EXPECT_EQ(s1.queued_datagrams(), 2u);
  EXPECT_EQ(s2.queued_datagrams(), 2u);
  EXPECT_TRUE(a_eth.sent.empty()); // and no ICMP about them
  a.udp().close(sender);
  b.udp().close(s1);
  b.udp().close(s2);
}

} // namespace
} // namespace net
