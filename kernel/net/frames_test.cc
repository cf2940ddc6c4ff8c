// Parsing and building of the fixed-format headers: Ethernet, ARP, IPv4, ICMP, UDP.
#include "net/arp.h"
#include "net/icmp.h"
#include "net/test_support.h"

#include <gtest/gtest.h>

namespace net {
namespace {
using test::Bytes;
using test::ip;
using test::mac;

TEST(Ethernet, BuildAndParse) {
  Bytes f = test::ethernet_frame(MacAddress::broadcast(), mac(7), kEtherTypeArp, Bytes(28));
  ASSERT_EQ(f.size(), 42u);
  EXPECT_EQ(f[12], 0x08);
  EXPECT_EQ(f[13], 0x06);
  auto eh = parse_ethernet(f.data(), f.size());
  ASSERT_TRUE(eh);
  EXPECT_TRUE(eh->destination.is_broadcast());
  EXPECT_EQ(eh->source, mac(7));
  EXPECT_EQ(eh->ether_type, kEtherTypeArp);
  EXPECT_FALSE(parse_ethernet(f.data(), 13));
  f[12] = 0x05; // 0x05DC: an 802.3 length, not an EtherType
  f[13] = 0xDC;
  EXPECT_FALSE(parse_ethernet(f.data(), f.size()));
}

TEST(Ethernet, MulticastMapping) {
  // RFC 1112: 224.0.0.251 -> 01:00:5e:00:00:fb; the 24th bit from the end is dropped.
  EXPECT_EQ(multicast_mac(ip(224, 0, 0, 251)), (MacAddress{{1, 0, 0x5e, 0, 0, 0xfb}}));
  EXPECT_EQ(multicast_mac(ip(239, 128, 1, 2)), (MacAddress{{1, 0, 0x5e, 0, 1, 2}}));
}

TEST(Arp, RequestWireFormat) {
  ArpMessage m;
  m.operation = kArpRequest;
  m.sender_mac = mac(1);
  m.sender_ip = ip(10, 0, 0, 1);
  m.target_ip = ip(10, 0, 0, 2);
  uint8_t out[kArpMessageSize];
  write_arp(out, m);
  const uint8_t want[] = {0,  1, 8, 0, 6, 4, 0, 1, 2, 0, 0,  0, 0, 1,
                          10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2};
  EXPECT_EQ(Bytes(out, out + sizeof out), Bytes(want, want + sizeof want));
  auto back = parse_arp(out, sizeof out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->operation, kArpRequest);
  EXPECT_EQ(back->sender_mac, mac(1));
  EXPECT_EQ(back->sender_ip, ip(10, 0, 0, 1));
  EXPECT_EQ(back->target_ip, ip(10, 0, 0, 2));
}

TEST(Arp, RejectsOtherHardwareAndShortMessages) {
  uint8_t m[kArpMessageSize] = {0, 6, 8, 0, 6, 4, 0, 1}; // hardware type 6 (IEEE 802)
  EXPECT_EQ(parse_arp(m, sizeof m).error(), -EPROTONOSUPPORT);
  m[1] = 1;
  m[7] = 9; // operation 9
  EXPECT_EQ(parse_arp(m, sizeof m).error(), -EPROTONOSUPPORT);
  m[7] = 2;
  EXPECT_TRUE(parse_arp(m, sizeof m));
  EXPECT_EQ(parse_arp(m, 27).error(), -EINVAL);
}

TEST(Ipv4, ParseChecksLengthsVersionAndChecksum) {
  Bytes d = test::ipv4_datagram(ip(10, 0, 0, 1), ip(10, 0, 0, 2), 17, Bytes(8, 0xAB), 77,
                                kIpv4FlagDontFragment, 5);
  auto h = parse_ipv4(d.data(), d.size());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->total_length, 28);
  EXPECT_EQ(h->id, 77);
  EXPECT_TRUE(h->dont_fragment());
  EXPECT_FALSE(h->is_fragment());
  EXPECT_EQ(h->ttl, 5);
  EXPECT_EQ(h->source, ip(10, 0, 0, 1));
  // Link padding after the datagram is fine.
  Bytes padded = d;
  padded.resize(60);
  EXPECT_TRUE(parse_ipv4(padded.data(), padded.size()));
  // Truncated below the total length.
  EXPECT_FALSE(parse_ipv4(d.data(), d.size() - 1));
  Bytes bad = d;
  bad[0] = 0x65; // version 6
  EXPECT_FALSE(parse_ipv4(bad.data(), bad.size()));
  bad = d;
  bad[0] = 0x44; // header length 16
  EXPECT_FALSE(parse_ipv4(bad.data(), bad.size()));
  bad = d;
  bad[8] ^= 1; // TTL changed, checksum not
  EXPECT_FALSE(parse_ipv4(bad.data(), bad.size()));
}

TEST(Ipv4, FragmentFields) {
  Bytes d = test::ipv4_datagram(ip(1, 2, 3, 4), ip(5, 6, 7, 8), 17, Bytes(8), 1,
                                kIpv4FlagMoreFragments | 185);
  auto h = parse_ipv4(d.data(), d.size());
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->more_fragments());
  EXPECT_EQ(h->fragment_offset(), 1480u);
  EXPECT_TRUE(h->is_fragment());
}

TEST(Icmp, EchoBuildAndParse) {
  Bytes m(kIcmpHeaderSize + 4);
  m[8] = 'p';
  m[9] = 'i';
  m[10] = 'n';
  m[11] = 'g';
  const uint8_t rest[4] = {0x12, 0x34, 0x00, 0x07};
  finish_icmp(m.data(), m.size(), kIcmpEchoRequest, 0, rest);
  EXPECT_EQ(internet_checksum(m.data(), m.size()), 0);
  auto parsed = parse_icmp(m.data(), m.size());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->type, kIcmpEchoRequest);
  EXPECT_EQ(parsed->rest[1], 0x34);
  EXPECT_EQ(parsed->body_length, 4u);
  m[9] ^= 0xFF;
  EXPECT_FALSE(parse_icmp(m.data(), m.size()));
}

TEST(Icmp, FragmentationNeededMtuAndPlateaus) {
  Bytes quoted = test::ipv4_datagram(ip(10, 0, 0, 1), ip(8, 8, 8, 8), 6, Bytes(8));
  quoted[2] = 0x05; // total length 1500 as sent
  quoted[3] = 0xDC;
  auto q = parse_quoted_datagram(quoted.data(), quoted.size());
  ASSERT_TRUE(q);
  EXPECT_EQ(q->header.destination, ip(8, 8, 8, 8));
  EXPECT_EQ(q->transport_length, 8u);
  IcmpMessage m;
  m.type = kIcmpDestinationUnreachable;
  m.code = kIcmpFragmentationNeeded;
  m.rest[2] = 0x05;
  m.rest[3] = 0x78; // 1400
  EXPECT_EQ(fragmentation_needed_mtu(m, *q), 1400);
  m.rest[2] = m.rest[3] = 0; // an old router: RFC 1191's plateau below 1500
  EXPECT_EQ(fragmentation_needed_mtu(m, *q), 1492);
  EXPECT_FALSE(parse_quoted_datagram(quoted.data(), 27)); // fewer than 8 transport bytes
}

TEST(Udp, BuildAndParseWithChecksum) {
  Bytes u = test::udp_segment(ip(10, 0, 0, 1), 5000, ip(10, 0, 0, 2), 53, test::text("query"));
  auto h = parse_udp(u.data(), u.size(), ip(10, 0, 0, 1), ip(10, 0, 0, 2), false);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->source_port, 5000);
  EXPECT_EQ(h->destination_port, 53);
  EXPECT_EQ(h->length, 13);
  // The checksum covers the pseudo-header: another destination address fails it.
  EXPECT_FALSE(parse_udp(u.data(), u.size(), ip(10, 0, 0, 1), ip(10, 0, 0, 3), false));
  // ...unless the device vouched for it.
  EXPECT_TRUE(parse_udp(u.data(), u.size(), ip(10, 0, 0, 1), ip(10, 0, 0, 3), true));
  // A zero checksum means "none".
  u[6] = u[7] = 0;
  EXPECT_TRUE(parse_udp(u.data(), u.size(), ip(10, 0, 0, 1), ip(10, 0, 0, 3), false));
  u[5] = 100; // length past the data
  EXPECT_FALSE(parse_udp(u.data(), u.size(), ip(10, 0, 0, 1), ip(10, 0, 0, 2), false));
  u[5] = 7; // under the header size
  EXPECT_FALSE(parse_udp(u.data(), u.size(), ip(10, 0, 0, 1), ip(10, 0, 0, 2), false));
}

} // namespace
} // namespace net
