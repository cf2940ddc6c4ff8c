// DHCP: message building/parsing, the client against a scripted server (discover, offer,
// request, ack, renewal, rebinding, expiry, NAK), and the agent applying a lease to a Stack.
#include "net/dhcp_agent.h"
#include "net/dhcp_client.h"
#include "net/test_support.h"

#include <gtest/gtest.h>
#include <vector>

namespace net {
namespace {
using test::Bytes;
using test::ip;
using test::mac;

constexpr uint64_t kSecond = kNsPerSecond;

TEST(DhcpMessage, RoundTripWithOptions) {
  DhcpMessage m;
  m.op = 2;
  m.xid = 0x12345678;
  m.broadcast_flag = true;
  m.yiaddr = ip(10, 0, 2, 15);
  m.chaddr = mac(1);
  m.type = kDhcpAck;
  m.subnet_mask = ip(255, 255, 255, 0);
  m.has_subnet_mask = true;
  m.router = ip(10, 0, 2, 2);
  m.dns[0] = ip(10, 0, 2, 3);
  m.dns[1] = ip(8, 8, 8, 8);
  m.dns_count = 2;
  m.mtu = 1400;
  m.lease_seconds = 86400;
  m.server_id = ip(10, 0, 2, 2);
  uint8_t buf[kDhcpMaxMessage];
  auto len = write_dhcp(m, buf, sizeof buf);
  ASSERT_TRUE(len);
  EXPECT_EQ(*len, kDhcpMinMessage); // padded to BOOTP's minimum
  EXPECT_EQ(buf[236], 99);          // the magic cookie
  EXPECT_EQ(buf[239], 99);
  auto p = parse_dhcp(buf, *len);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->xid, 0x12345678u);
  EXPECT_TRUE(p->broadcast_flag);
  EXPECT_EQ(p->yiaddr, ip(10, 0, 2, 15));
  EXPECT_EQ(p->chaddr, mac(1));
  EXPECT_EQ(p->type, kDhcpAck);
  EXPECT_EQ(p->subnet_mask, ip(255, 255, 255, 0));
  EXPECT_EQ(p->router, ip(10, 0, 2, 2));
  ASSERT_EQ(p->dns_count, 2);
  EXPECT_EQ(p->dns[1], ip(8, 8, 8, 8));
  EXPECT_EQ(p->mtu, 1400);
  EXPECT_EQ(p->lease_seconds, 86400u);
  EXPECT_EQ(p->server_id, ip(10, 0, 2, 2));
}

TEST(DhcpMessage, RejectsMalformed) {
  DhcpMessage m;
  m.type = kDhcpDiscover;
  uint8_t buf[kDhcpMaxMessage];
  size_t len = *write_dhcp(m, buf, sizeof buf);
  EXPECT_TRUE(parse_dhcp(buf, len));
  EXPECT_FALSE(parse_dhcp(buf, 239)); // no room for the cookie
  Bytes bad(buf, buf + len);
  bad[236] = 0; // cookie
  EXPECT_FALSE(parse_dhcp(bad.data(), bad.size()));
  bad.assign(buf, buf + len);
  // An option running past the end: code 3, length 200, at the very end of the message.
  bad[len - 3] = 3;
  bad[len - 2] = 200;
  bad[240] = 0; // make the walk reach it: pad over the options written
  for (size_t i = 240; i < len - 3; ++i)
    bad[i] = 0;
  EXPECT_FALSE(parse_dhcp(bad.data(), bad.size()));
  bad[len - 3] = 53; // message type with length 2: wrong size for its kind
  bad[len - 2] = 2;
  EXPECT_FALSE(parse_dhcp(bad.data(), bad.size()));
}

TEST(DhcpMessage, NetmaskPrefix) {
  EXPECT_EQ(*netmask_prefix(ip(255, 255, 255, 0)), 24);
  EXPECT_EQ(*netmask_prefix(ip(255, 255, 240, 0)), 20);
  EXPECT_EQ(*netmask_prefix(ip(0, 0, 0, 0)), 0);
  EXPECT_EQ(*netmask_prefix(ip(255, 255, 255, 255)), 32);
  EXPECT_FALSE(netmask_prefix(ip(255, 0, 255, 0)));
}

// Records what the client sends and what it applies.
struct ScriptedHost : DhcpClient::Host {
  struct Sent {
    DhcpMessage message;
    Ipv4Address destination;
  };
  void send_dhcp(const uint8_t* bytes, size_t len, Ipv4Address destination) override {
    auto m = parse_dhcp(bytes, len);
    ASSERT_TRUE(m);
    sent.push_back({*m, destination});
  }
  void lease_acquired(const DhcpLease& l) override { leases.push_back(l); }
  void lease_lost() override { ++lost; }
  std::vector<Sent> take() {
    std::vector<Sent> out;
    out.swap(sent);
    return out;
  }
  std::vector<Sent> sent;
  std::vector<DhcpLease> leases;
  int lost = 0;
};

class DhcpClientTest : public ::testing::Test {
protected:
  // The server's reply of `type` to the client's `request`.
  Bytes reply(const DhcpMessage& request, uint8_t type, uint32_t lease = 3600) {
    DhcpMessage m;
    m.op = 2;
    m.xid = request.xid;
    m.chaddr = request.chaddr;
    m.type = type;
    m.server_id = kServer;
    if (type != kDhcpNak) {
      m.yiaddr = kOffered;
      m.subnet_mask = ip(255, 255, 255, 0);
      m.has_subnet_mask = true;
      m.router = kRouter;
      m.dns[0] = kRouter;
      m.dns_count = 1;
      m.mtu = 1450;
      m.lease_seconds = lease;
    }
    Bytes b(kDhcpMaxMessage);
    b.resize(*write_dhcp(m, b.data(), b.size()));
    return b;
  }
  void deliver(const Bytes& b) { client.receive(b.data(), b.size(), now); }
  void advance_to(uint64_t t) {
    now = t;
    client.tick(now);
  }
  // Discover -> offer -> request -> ack.
  void bind() {
    client.start(now);
    auto sent = host.take();
    ASSERT_EQ(sent.size(), 1u);
    deliver(reply(sent[0].message, kDhcpOffer));
    sent = host.take();
    ASSERT_EQ(sent.size(), 1u);
    deliver(reply(sent[0].message, kDhcpAck));
    ASSERT_EQ(client.state(), DhcpClient::State::kBound);
  }

  static constexpr Ipv4Address kServer = Ipv4Address::from(10, 0, 2, 2);
  static constexpr Ipv4Address kRouter = Ipv4Address::from(10, 0, 2, 1);
  static constexpr Ipv4Address kOffered = Ipv4Address::from(10, 0, 2, 15);
  uint64_t now = 100 * kSecond;
  ScriptedHost host;
  DhcpClient client{host, mac(1), 777};
};

TEST_F(DhcpClientTest, FullExchange) {
  client.start(now);
  auto sent = host.take();
  ASSERT_EQ(sent.size(), 1u);
  DhcpMessage discover = sent[0].message;
  EXPECT_EQ(discover.type, kDhcpDiscover);
  EXPECT_EQ(discover.op, 1);
  EXPECT_TRUE(discover.broadcast_flag);
  EXPECT_TRUE(discover.request_parameters);
  EXPECT_EQ(discover.chaddr, mac(1));
  EXPECT_TRUE(sent[0].destination.is_limited_broadcast());
  EXPECT_EQ(client.state(), DhcpClient::State::kSelecting);

  // A reply to some other transaction is ignored.
  DhcpMessage other = discover;
  other.xid ^= 1;
  deliver(reply(other, kDhcpOffer));
  EXPECT_TRUE(host.take().empty());

  deliver(reply(discover, kDhcpOffer));
  sent = host.take();
  ASSERT_EQ(sent.size(), 1u);
  DhcpMessage request = sent[0].message;
  EXPECT_EQ(request.type, kDhcpRequest);
  EXPECT_EQ(request.xid, discover.xid);
  EXPECT_EQ(request.requested_address, kOffered);
  EXPECT_EQ(request.server_id, kServer);
  EXPECT_TRUE(request.ciaddr.is_any());
  EXPECT_TRUE(sent[0].destination.is_limited_broadcast());
  EXPECT_EQ(client.state(), DhcpClient::State::kRequesting);

  deliver(reply(request, kDhcpAck));
  EXPECT_EQ(client.state(), DhcpClient::State::kBound);
  ASSERT_EQ(host.leases.size(), 1u);
  const DhcpLease& l = host.leases[0];
  EXPECT_EQ(l.address, kOffered);
  EXPECT_EQ(l.prefix_length, 24);
  EXPECT_EQ(l.router, kRouter);
  ASSERT_EQ(l.dns_count, 1);
  EXPECT_EQ(l.dns[0], kRouter);
  EXPECT_EQ(l.mtu, 1450);
  EXPECT_EQ(l.server, kServer);
  EXPECT_EQ(l.lease_seconds, 3600u);
  EXPECT_EQ(l.renewal_seconds, 1800u);   // T1 = 0.5 lease
  EXPECT_EQ(l.rebinding_seconds, 3150u); // T2 = 0.875 lease
  EXPECT_EQ(client.next_deadline(), now + 1800 * kSecond);
}

TEST_F(DhcpClientTest, RetransmitsDiscoverWithBackoff) {
  client.start(now);
  uint64_t start = now;
  host.take();
  std::vector<uint64_t> at;
  for (uint64_t t = start; t <= start + 200 * kSecond; t += kSecond) {
    advance_to(t);
    if (!host.take().empty())
      at.push_back((t - start) / kSecond);
  }
  // 4, 8, 16, 32, 64, 64 ... seconds apart.
  ASSERT_GE(at.size(), 5u);
  EXPECT_EQ(at[0], 4u);
  EXPECT_EQ(at[1], 12u);
  EXPECT_EQ(at[2], 28u);
  EXPECT_EQ(at[3], 60u);
  EXPECT_EQ(at[4], 124u);
  EXPECT_EQ(at[5], 188u);
}

TEST_F(DhcpClientTest, RenewsWithTheServerAtT1) {
  bind();
  uint64_t bound = now;
  advance_to(bound + 1799 * kSecond);
  EXPECT_TRUE(host.take().empty());
  advance_to(bound + 1800 * kSecond);
  EXPECT_EQ(client.state(), DhcpClient::State::kRenewing);
  auto sent = host.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].message.type, kDhcpRequest);
  EXPECT_EQ(sent[0].destination, kServer); // unicast to the server
  EXPECT_EQ(sent[0].message.ciaddr, kOffered);
  EXPECT_TRUE(sent[0].message.server_id.is_any());
  EXPECT_TRUE(sent[0].message.requested_address.is_any());
  // Unanswered: again after half the time to T2 (1350 s left -> 675 s).
  advance_to(bound + (1800 + 674) * kSecond);
  EXPECT_TRUE(host.take().empty());
  advance_to(bound + (1800 + 675) * kSecond);
  sent = host.take();
  ASSERT_EQ(sent.size(), 1u);
  // The ACK renews: bound again with fresh timers, the lease re-applied.
  deliver(reply(sent[0].message, kDhcpAck, 7200));
  EXPECT_EQ(client.state(), DhcpClient::State::kBound);
  ASSERT_EQ(host.leases.size(), 2u);
  EXPECT_EQ(host.leases[1].lease_seconds, 7200u);
  EXPECT_EQ(client.next_deadline(), now + 3600 * kSecond);
  EXPECT_EQ(host.lost, 0);
}

TEST_F(DhcpClientTest, RebindsAtT2ThenLosesTheLeaseAtExpiry) {
  bind();
  uint64_t bound = now;
  advance_to(bound + 1800 * kSecond);
  host.take();
  advance_to(bound + 3150 * kSecond); // T2
  EXPECT_EQ(client.state(), DhcpClient::State::kRebinding);
  auto sent = host.take();
  ASSERT_FALSE(sent.empty());
  EXPECT_TRUE(sent.back().destination.is_limited_broadcast());
  EXPECT_EQ(sent.back().message.ciaddr, kOffered);
  // Nobody answers: at the lease's end the address goes and discovery starts over.
  for (uint64_t t = bound + 3150 * kSecond; t <= bound + 3600 * kSecond; t += 10 * kSecond)
    advance_to(t);
  advance_to(bound + 3600 * kSecond);
  EXPECT_EQ(host.lost, 1);
  EXPECT_EQ(client.state(), DhcpClient::State::kSelecting);
  sent = host.take();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back().message.type, kDhcpDiscover);
}

TEST_F(DhcpClientTest, NakRestartsDiscovery) {
  bind();
  advance_to(now + 1800 * kSecond);
  auto sent = host.take();
  ASSERT_EQ(sent.size(), 1u);
  deliver(reply(sent[0].message, kDhcpNak));
  EXPECT_EQ(host.lost, 1);
  EXPECT_EQ(client.state(), DhcpClient::State::kSelecting);
  sent = host.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].message.type, kDhcpDiscover);
}

TEST_F(DhcpClientTest, UnansweredRequestFallsBackToDiscovery) {
  client.start(now);
  deliver(reply(host.take()[0].message, kDhcpOffer));
  host.take();
  for (int i = 0; i < 200; ++i)
    advance_to(now + kSecond);
  EXPECT_EQ(client.state(), DhcpClient::State::kSelecting);
}

// The agent on a Stack: the lease configures the interface, routes and MTU.
TEST(DhcpAgent, LeaseConfiguresTheInterface) {
  test::FakeClock clock;
  Stack stack(clock);
  test::CaptureInterface eth0("eth0", mac(1));
  ASSERT_TRUE(stack.add_interface(eth0));
  DhcpAgent agent(stack, eth0, 99);
  ASSERT_TRUE(agent.start());

  // The DISCOVER leaves as a broadcast from 0.0.0.0:68 to 255.255.255.255:67.
  auto frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  auto f = test::parse_frame(frames[0]);
  ASSERT_TRUE(f.ok);
  EXPECT_TRUE(f.eth.destination.is_broadcast());
  EXPECT_TRUE(f.ip.source.is_any());
  EXPECT_TRUE(f.ip.destination.is_limited_broadcast());
  auto u = parse_udp(f.payload.data(), f.payload.size(), f.ip.source, f.ip.destination, false);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->source_port, 68);
  EXPECT_EQ(u->destination_port, 67);
  auto discover = parse_dhcp(f.payload.data() + 8, f.payload.size() - 8);
  ASSERT_TRUE(discover);

  Ipv4Address server = ip(10, 0, 2, 2), me = ip(10, 0, 2, 15);
  auto answer = [&](const DhcpMessage& req, uint8_t type) {
    DhcpMessage m;
    m.op = 2;
    m.xid = req.xid;
    m.chaddr = req.chaddr;
    m.type = type;
    m.yiaddr = me;
    m.server_id = server;
    m.subnet_mask = ip(255, 255, 255, 0);
    m.has_subnet_mask = true;
    m.router = server;
    m.mtu = 1400;
    m.lease_seconds = 600;
    Bytes b(kDhcpMaxMessage);
    b.resize(*write_dhcp(m, b.data(), b.size()));
    Bytes frame = test::ethernet_frame(
        MacAddress::broadcast(), mac(2), kEtherTypeIpv4,
        test::ipv4_datagram(server, Ipv4Address::broadcast(), kIpProtocolUdp,
                            test::udp_segment(server, 67, Ipv4Address::broadcast(), 68, b)));
    stack.receive_frame(eth0, test::packet_of(frame));
  };
  answer(*discover, kDhcpOffer);
  frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  f = test::parse_frame(frames[0]);
  auto request = parse_dhcp(f.payload.data() + 8, f.payload.size() - 8);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->type, kDhcpRequest);
  answer(*request, kDhcpAck);

  EXPECT_TRUE(agent.has_lease());
  EXPECT_EQ(eth0.address(), me);
  EXPECT_EQ(eth0.prefix_length(), 24);
  EXPECT_EQ(eth0.mtu(), 1400u);
  EXPECT_EQ(*stack.source_for(ip(1, 1, 1, 1)), me); // the default route is in place
  const Route* def = stack.routes().lookup(ip(1, 1, 1, 1));
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(def->gateway, server);

  // Renewal at T1 is unicast from our address (after resolving the server with ARP).
  clock.now += 300 * kNsPerSecond;
  agent.tick();
  frames = eth0.take();
  ASSERT_EQ(frames.size(), 1u);
  auto eh = parse_ethernet(frames[0].data(), frames[0].size());
  EXPECT_EQ(eh->ether_type, kEtherTypeArp);

  // Expiry without an answer removes the address and the routes.
  for (int i = 0; i < 40; ++i) {
    clock.now += 10 * kNsPerSecond;
    agent.tick();
  }
  EXPECT_FALSE(agent.has_lease());
  EXPECT_TRUE(eth0.address().is_any());
  EXPECT_EQ(stack.routes().lookup(ip(1, 1, 1, 1)), nullptr);
  EXPECT_EQ(eth0.mtu(), 1500u);
}

} // namespace
} // namespace net
