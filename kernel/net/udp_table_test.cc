// UDP binding rules and demultiplexing, through a Stack with one Ethernet interface.
#include "net/test_support.h"
#include "net/udp_table.h"

#include <gtest/gtest.h>

namespace net {
namespace {
using test::Bytes;
using test::ip;
using test::mac;

class UdpTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(stack.add_interface(eth0));
    ASSERT_TRUE(stack.set_address(eth0, kMe, 24));
  }
  // A datagram from `from` to `to` arriving on eth0.
  void arrive(Ipv4Endpoint from, Ipv4Endpoint to, const char* data) {
    Bytes u = test::udp_segment(from.addr, from.port, to.addr, to.port, test::text(data));
    Bytes f = test::ethernet_frame(
        to.addr.is_limited_broadcast() ? MacAddress::broadcast() : mac(1), mac(3), kEtherTypeIpv4,
        test::ipv4_datagram(from.addr, to.addr, kIpProtocolUdp, u));
    stack.receive_frame(eth0, test::packet_of(f));
  }
  static constexpr Ipv4Address kMe = Ipv4Address::from(10, 0, 0, 1);
  test::FakeClock clock;
  Stack stack{clock};
  test::CaptureInterface eth0{"eth0", mac(1)};
  UdpTable& udp = stack.udp();
};

TEST_F(UdpTest, BindConflicts) {
  UdpSocket a, b, c, d;
  ASSERT_TRUE(udp.bind(a, {Ipv4Address::any(), 53}));
  EXPECT_EQ(udp.bind(a, {Ipv4Address::any(), 54}).error(), -EINVAL); // bound already
  EXPECT_EQ(udp.bind(b, {Ipv4Address::any(), 53}).error(), -EADDRINUSE);
  EXPECT_EQ(udp.bind(b, {kMe, 53}).error(), -EADDRINUSE);                // the wildcard covers it
  EXPECT_EQ(udp.bind(b, {ip(10, 9, 9, 9), 53}).error(), -EADDRNOTAVAIL); // not ours
  // Different specific addresses share a port.
  ASSERT_TRUE(udp.bind(c, {kMe, 80}));
  ASSERT_TRUE(udp.bind(d, {Ipv4Address::loopback(), 80}));
}

TEST_F(UdpTest, ReuseAddressAndReusePortNeedBothSides) {
  UdpSocket a, b, c;
  a.reuse_address = true;
  ASSERT_TRUE(udp.bind(a, {Ipv4Address::any(), 5353}));
  EXPECT_EQ(udp.bind(b, {Ipv4Address::any(), 5353}).error(), -EADDRINUSE);
  b.reuse_address = true;
  EXPECT_TRUE(udp.bind(b, {Ipv4Address::any(), 5353}));
  c.reuse_port = true; // a and b have no SO_REUSEPORT
  EXPECT_EQ(udp.bind(c, {Ipv4Address::any(), 5353}).error(), -EADDRINUSE);
}

TEST_F(UdpTest, EphemeralPortsAreDistinctAndInRange) {
  UdpSocket a, b;
  ASSERT_TRUE(udp.bind(a, {Ipv4Address::any(), 0}));
  ASSERT_TRUE(udp.bind(b, {Ipv4Address::any(), 0}));
  EXPECT_GE(a.local().port, UdpTable::kEphemeralFirst);
  EXPECT_LE(a.local().port, UdpTable::kEphemeralLast);
  EXPECT_NE(a.local().port, b.local().port);
}

TEST_F(UdpTest, MostSpecificSocketWins) {
  UdpSocket wildcard, specific, connected;
  wildcard.reuse_address = specific.reuse_address = connected.reuse_address = true;
  ASSERT_TRUE(udp.bind(wildcard, {Ipv4Address::any(), 7}));
  ASSERT_TRUE(udp.bind(specific, {kMe, 7}));
  ASSERT_TRUE(udp.bind(connected, {Ipv4Address::any(), 7}));
  ASSERT_TRUE(udp.connect(connected, {ip(10, 0, 0, 5), 1000}));
  arrive({ip(10, 0, 0, 5), 1000}, {kMe, 7}, "from the peer");
  arrive({ip(10, 0, 0, 6), 1000}, {kMe, 7}, "from another");
  EXPECT_EQ(connected.queued_datagrams(), 1u);
  EXPECT_EQ(specific.queued_datagrams(), 1u);
  EXPECT_EQ(wildcard.queued_datagrams(), 0u);
  char buf[32];
  auto r = udp.receive_from(specific, buf, sizeof buf, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->from.addr, ip(10, 0, 0, 6));
  EXPECT_EQ(r->from.port, 1000);
  // Disconnecting (AF_UNSPEC) makes it an ordinary socket again.
  ASSERT_TRUE(udp.connect(connected, {Ipv4Address::any(), 0}));
  EXPECT_FALSE(connected.is_connected());
}

TEST_F(UdpTest, ReusePortSpreadsSendersButKeepsEachOnOneSocket) {
  UdpSocket s[4];
  for (UdpSocket& x : s) {
    x.reuse_port = true;
    ASSERT_TRUE(udp.bind(x, {Ipv4Address::any(), 8080}));
  }
  for (int sender = 0; sender < 64; ++sender)
    for (int i = 0; i < 3; ++i)
      arrive({ip(10, 0, 0, uint8_t(10 + sender)), 4000}, {kMe, 8080}, "x");
  size_t total = 0, used = 0;
  for (UdpSocket& x : s) {
    total += x.queued_datagrams();
    used += x.queued_datagrams() > 0;
    EXPECT_EQ(x.queued_datagrams() % 3, 0u); // a sender's three datagrams together
  }
  EXPECT_EQ(total, 192u);
  EXPECT_GE(used, 2u);
}

TEST_F(UdpTest, ReceivePeekTruncateAndLimit) {
  UdpSocket s;
  s.receive_limit = 10;
  ASSERT_TRUE(udp.bind(s, {Ipv4Address::any(), 9}));
  arrive({ip(10, 0, 0, 5), 1}, {kMe, 9}, "abcdef");
  arrive({ip(10, 0, 0, 5), 1}, {kMe, 9}, "ghijkl"); // 12 bytes queued would pass the limit
  EXPECT_EQ(s.queued_datagrams(), 1u);
  EXPECT_EQ(s.dropped(), 1u);
  char buf[4];
  auto r = udp.receive_from(s, buf, 4, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->length, 6u); // MSG_TRUNC would report 6
  EXPECT_EQ(r->copied, 4u);
  EXPECT_EQ(std::memcmp(buf, "abcd", 4), 0);
  EXPECT_EQ(s.queued_datagrams(), 1u); // peeked
  r = udp.receive_from(s, buf, 4, false);
  EXPECT_EQ(s.queued_datagrams(), 0u);
  EXPECT_EQ(udp.receive_from(s, buf, 4, false).error(), -EAGAIN);
}

TEST_F(UdpTest, SendErrors) {
  UdpSocket s;
  EXPECT_EQ(udp.send_to(s, "x", 1, nullptr).error(), -EDESTADDRREQ);
  Ipv4Endpoint far{ip(192, 0, 2, 1), 9};
  EXPECT_EQ(udp.send_to(s, "x", 1, &far).error(), -ENETUNREACH); // no default route
  Ipv4Endpoint near{ip(10, 0, 0, 2), 9};
  static char big[65508];
  EXPECT_EQ(udp.send_to(s, big, sizeof big, &near).error(), -EMSGSIZE);
  EXPECT_TRUE(udp.send_to(s, big, sizeof big - 1, &near)); // 65507 is the most
  Ipv4Endpoint bcast{Ipv4Address::broadcast(), 9};
  EXPECT_EQ(udp.connect(s, bcast).error(), -EACCES);
}

TEST_F(UdpTest, ReadableCallbackFires) {
  UdpSocket s;
  int calls = 0;
  s.on_readable = [](void* ctx) { ++*static_cast<int*>(ctx); };
  s.readable_ctx = &calls;
  ASSERT_TRUE(udp.bind(s, {Ipv4Address::any(), 9}));
  arrive({ip(10, 0, 0, 5), 1}, {kMe, 9}, "x");
  EXPECT_EQ(calls, 1);
}

TEST_F(UdpTest, ClosedSocketLeavesTheTable) {
  UdpSocket s;
  ASSERT_TRUE(udp.bind(s, {Ipv4Address::any(), 9}));
  udp.close(s);
  UdpSocket again;
  EXPECT_TRUE(udp.bind(again, {Ipv4Address::any(), 9})); // the port is free
  {
    UdpSocket scoped;
    ASSERT_TRUE(udp.bind(scoped, {Ipv4Address::any(), 10}));
  } // destroyed: unlinks itself
  UdpSocket after;
  EXPECT_TRUE(udp.bind(after, {Ipv4Address::any(), 10}));
}

} // namespace
} // namespace net
