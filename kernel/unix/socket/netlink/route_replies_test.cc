#include "unix/socket/netlink/netlink_message.h"
#include "unix/socket/netlink/route_replies.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <string.h>
#include <string>
#include <vector>

namespace unix::netlink {
namespace {

struct Collector final : ReplySink {
  std::vector<std::vector<uint8_t>> datagrams;
  size_t room = 1000; // datagrams accepted before refusing
  bool deliver(const uint8_t* bytes, size_t len) override {
    if (!room)
      return false;
    --room;
    datagrams.emplace_back(bytes, bytes + len);
    return true;
  }
};

struct Message {
  MessageHeader header;
  std::vector<uint8_t> payload; // after the header
  size_t datagram;
};

// Every message of every datagram, checking that each datagram is exactly its messages.
std::vector<Message> messages_of(const Collector& c) {
  std::vector<Message> out;
  for (size_t d = 0; d < c.datagrams.size(); ++d) {
    const auto& g = c.datagrams[d];
    EXPECT_LE(g.size(), kDumpDatagramBytes);
    size_t off = 0;
    while (off < g.size()) {
      Message m;
      EXPECT_TRUE(read_header(g.data() + off, g.size() - off, &m.header));
      if (m.header.length < kHeaderSize)
        break;
      m.payload.assign(g.begin() + off + kHeaderSize, g.begin() + off + m.header.length);
      m.datagram = d;
      out.push_back(m);
      off += align4(m.header.length);
    }
    EXPECT_EQ(off, g.size());
  }
  return out;
}

// Attribute `type` of a message whose family header is `fixed` bytes.
std::vector<uint8_t> attribute(const Message& m, size_t fixed, uint16_t wanted) {
  AttributeReader r(m.payload.data() + fixed, m.payload.size() - fixed);
  uint16_t type;
  const uint8_t* value;
  size_t len;
  while (r.next(&type, &value, &len))
    if (type == wanted)
      return std::vector<uint8_t>(value, value + len);
  return {};
}
uint32_t u32(const std::vector<uint8_t>& v) {
  uint32_t x = 0;
  if (v.size() == 4)
    memcpy(&x, v.data(), 4);
  return x;
}
std::vector<uint8_t> be(uint32_t v) {
  return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
}

InterfaceSnapshot two_links() {
  InterfaceSnapshot s;
  LinkInfo& lo = s.links[s.link_count++];
  lo.index = 1;
  strcpy(lo.name, "lo");
  lo.loopback = true;
  lo.mtu = 65536;
  lo.flags = kIffUp | kIffLoopback | kIffRunning | kIffLowerUp;
  lo.ipv4 = 0x7F000001;
  lo.prefix_length = 8;
  lo.has_ipv6_loopback = true;
  LinkInfo& en = s.links[s.link_count++];
  en.index = 2;
  strcpy(en.name, "en1");
  uint8_t mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
  memcpy(en.mac, mac, 6);
  en.mtu = 1500;
  en.flags = kIffUp | kIffBroadcast | kIffRunning | kIffMulticast | kIffLowerUp;
  en.ipv4 = 0x0A00020F; // 10.0.2.15/24
  en.prefix_length = 24;
  s.routes[s.route_count++] = RouteInfo{0x7F000000, 8, 0, 1, 0x7F000001, 0, true};
  s.routes[s.route_count++] = RouteInfo{0x0A000200, 24, 0, 2, 0x0A00020F, 0, false};
  s.routes[s.route_count++] = RouteInfo{0, 0, 0x0A000202, 2, 0, 0, false};
  return s;
}

// A request as glibc writes it: header and a family header whose first byte is `family`.
std::vector<uint8_t> request(uint16_t type, uint16_t flags, uint32_t seq, uint8_t family,
                             size_t fixed = 4) {
  std::vector<uint8_t> r(align4(kHeaderSize + fixed), 0);
  uint32_t len = static_cast<uint32_t>(kHeaderSize + fixed);
  memcpy(r.data(), &len, 4);
  memcpy(r.data() + 4, &type, 2);
  memcpy(r.data() + 6, &flags, 2);
  memcpy(r.data() + 8, &seq, 4);
  r[kHeaderSize] = family;
  return r;
}

TEST(RouteReplies, LinkDumpDescribesEachInterfaceThenDone) {
  InterfaceSnapshot s = two_links();
  Collector c;
  auto req = request(kRtmGetLink, kFlagRequest | kFlagDump, 9, 0);
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 1234, c));
  auto ms = messages_of(c);
  ASSERT_EQ(ms.size(), 3u);
  for (const auto& m : ms) {
    EXPECT_EQ(m.header.sequence, 9u);
    EXPECT_EQ(m.header.port_id, 1234u);
    EXPECT_EQ(m.header.flags & kFlagMulti, kFlagMulti);
  }
  EXPECT_EQ(ms[0].header.type, kRtmNewLink);
  // ifinfomsg: type ARPHRD_LOOPBACK, index 1, flags.
  uint16_t hw;
  memcpy(&hw, ms[0].payload.data() + 2, 2);
  EXPECT_EQ(hw, 772);
  EXPECT_EQ(u32({ms[0].payload.begin() + 4, ms[0].payload.begin() + 8}), 1u);
  EXPECT_EQ(u32({ms[0].payload.begin() + 8, ms[0].payload.begin() + 12}), 0x10049u);
  auto name = attribute(ms[0], 16, 3);
  EXPECT_EQ(std::string(name.begin(), name.end()), std::string("lo", 3));
  EXPECT_EQ(u32(attribute(ms[0], 16, 4)), 65536u);
  // en1: Ethernet, MAC, broadcast ff:ff..., MTU, operstate up.
  memcpy(&hw, ms[1].payload.data() + 2, 2);
  EXPECT_EQ(hw, 1);
  EXPECT_EQ(u32({ms[1].payload.begin() + 4, ms[1].payload.begin() + 8}), 2u);
  EXPECT_EQ(u32({ms[1].payload.begin() + 8, ms[1].payload.begin() + 12}), 0x11043u);
  EXPECT_EQ(attribute(ms[1], 16, 1), (std::vector<uint8_t>{0x52, 0x54, 0, 0x12, 0x34, 0x56}));
  EXPECT_EQ(attribute(ms[1], 16, 2), std::vector<uint8_t>(6, 0xFF));
  EXPECT_EQ(u32(attribute(ms[1], 16, 4)), 1500u);
  EXPECT_EQ(attribute(ms[1], 16, 16), std::vector<uint8_t>{6});
  name = attribute(ms[1], 16, 3);
  EXPECT_EQ(std::string(name.begin(), name.end()), std::string("en1", 4));
  EXPECT_EQ(ms[2].header.type, kNlmsgDone);
  EXPECT_EQ(ms[2].payload, std::vector<uint8_t>(4, 0));
}

TEST(RouteReplies, AddressDumpFiltersByFamily) {
  InterfaceSnapshot s = two_links();
  Collector all;
  auto req = request(kRtmGetAddr, kFlagRequest | kFlagDump, 3, 0, 8);
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, all));
  auto ms = messages_of(all);
  ASSERT_EQ(ms.size(), 4u); // 127.0.0.1, 10.0.2.15, ::1, done
  // 10.0.2.15/24 on index 2 with its broadcast and label.
  const Message& en = ms[1];
  EXPECT_EQ(en.header.type, kRtmNewAddr);
  EXPECT_EQ(en.payload[0], 2);  // AF_INET
  EXPECT_EQ(en.payload[1], 24); // prefix
  EXPECT_EQ(en.payload[3], 0);  // scope universe
  EXPECT_EQ(u32({en.payload.begin() + 4, en.payload.begin() + 8}), 2u);
  EXPECT_EQ(attribute(en, 8, 1), be(0x0A00020F));
  EXPECT_EQ(attribute(en, 8, 2), be(0x0A00020F));
  EXPECT_EQ(attribute(en, 8, 4), be(0x0A0002FF));
  auto label = attribute(en, 8, 3);
  EXPECT_EQ(std::string(label.begin(), label.end()), std::string("en1", 4));
  // lo: scope host, no broadcast.
  EXPECT_EQ(ms[0].payload[1], 8);
  EXPECT_EQ(ms[0].payload[3], 254);
  EXPECT_TRUE(attribute(ms[0], 8, 4).empty());
  // ::1/128 on lo.
  EXPECT_EQ(ms[2].payload[0], 10);
  EXPECT_EQ(ms[2].payload[1], 128);
  std::vector<uint8_t> v6(16, 0);
  v6[15] = 1;
  EXPECT_EQ(attribute(ms[2], 8, 1), v6);
  EXPECT_EQ(ms[3].header.type, kNlmsgDone);

  Collector v4only;
  req = request(kRtmGetAddr, kFlagRequest | kFlagDump, 3, 2, 8);
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, v4only));
  EXPECT_EQ(messages_of(v4only).size(), 3u);
  Collector v6only;
  req = request(kRtmGetAddr, kFlagRequest | kFlagDump, 3, 10, 8);
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, v6only));
  EXPECT_EQ(messages_of(v6only).size(), 2u);
}

TEST(RouteReplies, RouteDumpReflectsTheTable) {
  InterfaceSnapshot s = two_links();
  Collector c;
  auto req = request(kRtmGetRoute, kFlagRequest | kFlagDump, 1, 0, 12);
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, c));
  auto ms = messages_of(c);
  ASSERT_EQ(ms.size(), 4u);
  // 127.0.0.0/8: local table, scope host, type local.
  EXPECT_EQ(ms[0].payload[1], 8);
  EXPECT_EQ(ms[0].payload[4], 255);
  EXPECT_EQ(ms[0].payload[6], 254);
  EXPECT_EQ(ms[0].payload[7], 2);
  // 10.0.2.0/24: main table, proto kernel, scope link, prefsrc, oif 2.
  const Message& connected = ms[1];
  EXPECT_EQ(connected.payload[1], 24);
  EXPECT_EQ(connected.payload[4], 254);
  EXPECT_EQ(connected.payload[5], 2);
  EXPECT_EQ(connected.payload[6], 253);
  EXPECT_EQ(attribute(connected, 12, 1), be(0x0A000200));
  EXPECT_EQ(attribute(connected, 12, 7), be(0x0A00020F));
  EXPECT_EQ(u32(attribute(connected, 12, 4)), 2u);
  EXPECT_TRUE(attribute(connected, 12, 5).empty());
  // default via 10.0.2.2: no RTA_DST, a gateway, scope universe.
  const Message& def = ms[2];
  EXPECT_EQ(def.payload[1], 0);
  EXPECT_EQ(def.payload[6], 0);
  EXPECT_TRUE(attribute(def, 12, 1).empty());
  EXPECT_EQ(attribute(def, 12, 5), be(0x0A000202));
  EXPECT_EQ(ms[3].header.type, kNlmsgDone);
  // IPv6 routes: none, just the end.
  Collector v6;
  req = request(kRtmGetRoute, kFlagRequest | kFlagDump, 1, 10, 12);
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, v6));
  EXPECT_EQ(messages_of(v6).size(), 1u);
}

TEST(RouteReplies, ManyMessagesSpanSeveralDatagrams) {
  InterfaceSnapshot s = two_links();
  for (size_t i = s.route_count; i < InterfaceSnapshot::kMaxRoutes; ++i)
    s.routes[s.route_count++] =
        RouteInfo{0x0B000000 + uint32_t(i << 8), 24, 0x0A000202, 2, 0, 5, false};
  // Enough copies of the request in one datagram to overflow one reply datagram.
  std::vector<uint8_t> req;
  for (int i = 0; i < 3; ++i) {
    auto one = request(kRtmGetRoute, kFlagRequest | kFlagDump, 100 + i, 0, 12);
    req.insert(req.end(), one.begin(), one.end());
  }
  Collector c;
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, c));
  auto ms = messages_of(c);
  EXPECT_EQ(ms.size(), 3 * (InterfaceSnapshot::kMaxRoutes + 1));
  EXPECT_GE(c.datagrams.size(), 3u);
  // Each request's answer ends with its own NLMSG_DONE and starts a datagram of its own.
  size_t dones = 0;
  for (size_t i = 0; i < ms.size(); ++i) {
    if (ms[i].header.type != kNlmsgDone)
      continue;
    EXPECT_EQ(ms[i].header.sequence, 100 + dones);
    ++dones;
    if (i + 1 < ms.size()) {
      EXPECT_NE(ms[i + 1].datagram, ms[i].datagram);
    }
  }
  EXPECT_EQ(dones, 3u);
}

TEST(RouteReplies, GetLinkByIndexOrNameAndErrors) {
  InterfaceSnapshot s = two_links();
  // By index 2, with an acknowledgement requested.
  auto req = request(kRtmGetLink, kFlagRequest | kFlagAck, 4, 0, 16);
  int32_t index = 2;
  memcpy(req.data() + kHeaderSize + 4, &index, 4);
  Collector c;
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, c));
  auto ms = messages_of(c);
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].header.type, kRtmNewLink);
  EXPECT_EQ(ms[0].header.flags & kFlagMulti, 0);
  EXPECT_EQ(ms[1].header.type, kNlmsgError);
  EXPECT_EQ(u32({ms[1].payload.begin(), ms[1].payload.begin() + 4}), 0u);

  // By name.
  req = request(kRtmGetLink, kFlagRequest, 5, 0, 16);
  const char name[] = "lo";
  uint16_t rta_len = 4 + sizeof name, rta_type = 3;
  uint8_t attr[8] = {};
  memcpy(attr, &rta_len, 2);
  memcpy(attr + 2, &rta_type, 2);
  memcpy(attr + 4, name, sizeof name);
  req.insert(req.end(), attr, attr + 8);
  uint32_t len = static_cast<uint32_t>(req.size());
  memcpy(req.data(), &len, 4);
  Collector by_name;
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, by_name));
  ms = messages_of(by_name);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(u32({ms[0].payload.begin() + 4, ms[0].payload.begin() + 8}), 1u);

  // An unknown index: ENODEV, with the request's header echoed.
  req = request(kRtmGetLink, kFlagRequest, 6, 0, 16);
  index = 77;
  memcpy(req.data() + kHeaderSize + 4, &index, 4);
  Collector missing;
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, missing));
  ms = messages_of(missing);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].header.type, kNlmsgError);
  EXPECT_EQ(ms[0].header.sequence, 6u);
  int32_t error;
  memcpy(&error, ms[0].payload.data(), 4);
  EXPECT_EQ(error, -ENODEV);
  EXPECT_EQ(0, memcmp(ms[0].payload.data() + 4, req.data(), kHeaderSize));
}

TEST(RouteReplies, UnsupportedAndIgnoredRequests) {
  InterfaceSnapshot s = two_links();
  Collector c;
  // RTM_NEWADDR (a change): not supported.
  auto req = request(kRtmNewAddr, kFlagRequest | kFlagAck, 8, 2, 8);
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, c));
  auto ms = messages_of(c);
  ASSERT_EQ(ms.size(), 1u);
  int32_t error;
  memcpy(&error, ms[0].payload.data(), 4);
  EXPECT_EQ(error, -EOPNOTSUPP);
  // Without NLM_F_REQUEST, a control message, a truncated header: nothing.
  Collector quiet;
  req = request(kRtmGetLink, kFlagDump, 1, 0);
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, quiet));
  req = request(kNlmsgNoop, kFlagRequest, 1, 0);
  ASSERT_TRUE(answer_requests(s, req.data(), req.size(), 5, quiet));
  req = request(kRtmGetLink, kFlagRequest | kFlagDump, 1, 0);
  ASSERT_TRUE(answer_requests(s, req.data(), 12, 5, quiet));
  EXPECT_TRUE(quiet.datagrams.empty());
}

TEST(RouteReplies, ARefusingSinkIsReported) {
  InterfaceSnapshot s = two_links();
  Collector c;
  c.room = 0;
  auto req = request(kRtmGetLink, kFlagRequest | kFlagDump, 1, 0);
  EXPECT_FALSE(answer_requests(s, req.data(), req.size(), 5, c));
}

TEST(InterfaceSnapshot, FindsByIndexAndName) {
  InterfaceSnapshot s = two_links();
  ASSERT_NE(s.find_index(2), nullptr);
  EXPECT_STREQ(s.find_index(2)->name, "en1");
  EXPECT_EQ(s.find_index(3), nullptr);
  EXPECT_EQ(s.find_name("en1"), &s.links[1]);
  EXPECT_EQ(s.find_name("en"), nullptr);
  EXPECT_EQ(s.find_name("en12"), nullptr);
  EXPECT_EQ(s.links[1].broadcast(), 0x0A0002FFu);
  EXPECT_EQ(s.links[1].netmask(), 0xFFFFFF00u);
  EXPECT_EQ(s.links[0].broadcast(), 0u);
}

} // namespace
} // namespace unix::netlink
