#include "net/settings.h"

#include <deque>
#include <gtest/gtest.h>
#include <string>
#include <utility>
#include <vector>

namespace net {
namespace {

// Builds decoded TFS values by hand, as the codec would hand them over.
class Values {
public:
  tfs::Value* str(const std::string& s) {
    strings_.push_back(s);
    tfs::Value* v = fresh(tfs::Kind::kBytes);
    v->bytes = reinterpret_cast<const uint8_t*>(strings_.back().data());
    v->len = static_cast<uint32_t>(strings_.back().size());
    return v;
  }
  tfs::Value* number(uint64_t n) {
    tfs::Value* v = fresh(tfs::Kind::kInteger);
    v->integer = n;
    return v;
  }
  tfs::Value* tuple(std::vector<std::pair<std::string, tfs::Value*>> entries) {
    return container(tfs::Kind::kTuple, std::move(entries));
  }
  tfs::Value* vector(std::vector<tfs::Value*> elements) {
    std::vector<std::pair<std::string, tfs::Value*>> entries;
    for (tfs::Value* e : elements)
      entries.push_back({"", e});
    return container(tfs::Kind::kVector, std::move(entries));
  }

private:
  tfs::Value* fresh(tfs::Kind kind) {
    values_.emplace_back();
    tfs::Value* v = &values_.back();
    *v = tfs::Value{};
    v->kind = kind;
    return v;
  }
  tfs::Value* container(tfs::Kind kind, std::vector<std::pair<std::string, tfs::Value*>> entries) {
    tfs::Value* v = fresh(kind);
    items_.emplace_back();
    std::vector<tfs::Item>& items = items_.back();
    for (auto& [name, value] : entries) {
      strings_.push_back(name);
      const std::string& n = strings_.back();
      items.push_back(tfs::Item{
          kind == tfs::Kind::kTuple ? reinterpret_cast<const uint8_t*>(n.data()) : nullptr,
          static_cast<uint32_t>(n.size()), value});
    }
    v->items = items.data();
    v->count = v->capacity = static_cast<uint32_t>(items.size());
    return v;
  }

  std::deque<std::string> strings_;
  std::deque<tfs::Value> values_;
  std::deque<std::vector<tfs::Item>> items_;
};

Ipv4Address ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return Ipv4Address::from(a, b, c, d);
}

bool parse(const char* text, Ipv4Address* out) {
  return parse_ipv4(reinterpret_cast<const uint8_t*>(text), std::string(text).size(), out);
}

TEST(NetSettings, ParsesDottedQuads) {
  Ipv4Address a;
  ASSERT_TRUE(parse("10.0.2.15", &a));
  EXPECT_EQ(a, ip(10, 0, 2, 15));
  ASSERT_TRUE(parse("255.255.255.255", &a));
  EXPECT_EQ(a, Ipv4Address::broadcast());
  for (const char* bad : {"", "10.0.2", "10.0.2.15.1", "10.0.2.256", "10..2.1", "a.b.c.d",
                          "10.0.2.15 ", "1.2.3.0004", "-1.2.3.4"})
    EXPECT_FALSE(parse(bad, &a)) << bad;
}

TEST(NetSettings, DefaultGatewayIsTheFirstAddressUnlessItIsOurs) {
  EXPECT_EQ(default_gateway(ip(10, 0, 2, 16), 24), ip(10, 0, 2, 1));
  EXPECT_EQ(default_gateway(ip(10, 0, 2, 1), 24), ip(10, 0, 2, 254));
  EXPECT_EQ(default_gateway(ip(192, 168, 7, 9), 20), ip(192, 168, 0, 1));
}

TEST(NetSettings, InterfaceNames) {
  EXPECT_EQ(interface_index("en1"), 0);
  EXPECT_EQ(interface_index("en8"), 7);
  EXPECT_EQ(interface_index("en9"), -1);
  EXPECT_EQ(interface_index("lo"), -1);
  EXPECT_EQ(interface_index("en10"), -1);
}

TEST(NetSettings, EmptyManifestMeansDhcpEverywhere) {
  Values v;
  NetSettings s;
  const char* bad = nullptr;
  ASSERT_TRUE(parse_net_settings(v.tuple({{"program", v.str("/hello")}}), &s, &bad).ok());
  for (const InterfaceSettings& i : s.interfaces)
    EXPECT_FALSE(i.is_static());
  EXPECT_EQ(s.nameserver_count, 0);
}

TEST(NetSettings, RootKeysConfigureEn1) {
  Values v;
  NetSettings s;
  const char* bad = nullptr;
  auto* root = v.tuple({{"ipaddr", v.str("10.0.2.16")},
                        {"netmask", v.str("255.255.0.0")},
                        {"gateway", v.str("10.0.2.2")},
                        {"mtu", v.str("1400")},
                        {"exec_wait_for_ip4_secs", v.number(5)}});
  ASSERT_TRUE(parse_net_settings(root, &s, &bad).ok());
  const InterfaceSettings& en1 = s.interfaces[0];
  EXPECT_TRUE(en1.is_static());
  EXPECT_EQ(en1.address, ip(10, 0, 2, 16));
  EXPECT_EQ(en1.prefix_length, 16);
  EXPECT_EQ(en1.gateway, ip(10, 0, 2, 2));
  EXPECT_EQ(en1.mtu, 1400u);
  EXPECT_EQ(en1.wait_for_ip4_secs, 5u);
  EXPECT_FALSE(s.interfaces[1].is_static());
  EXPECT_EQ(s.interfaces[1].wait_for_ip4_secs, 0u);
}

TEST(NetSettings, WaitForAddressFollowsNanosLimits) {
  Values v;
  NetSettings s;
  const char* bad = nullptr;
  for (auto [given, expected] : {std::pair{"0", 5u}, {"30", 30u}, {"180", 180u}, {"181", 5u}}) {
    ASSERT_TRUE(
        parse_net_settings(v.tuple({{"exec_wait_for_ip4_secs", v.str(given)}}), &s, &bad).ok());
    EXPECT_EQ(s.interfaces[0].wait_for_ip4_secs, expected) << given;
  }
}

TEST(NetSettings, En1TupleWinsOverTheRootAndOthersHaveTheirOwn) {
  Values v;
  NetSettings s;
  const char* bad = nullptr;
  auto* root = v.tuple(
      {{"ipaddr", v.str("192.168.1.5")},
       {"en1", v.tuple({{"ipaddr", v.str("10.0.2.20")}})},
       {"en2", v.tuple({{"ipaddr", v.str("172.16.0.9")}, {"netmask", v.str("255.255.255.252")}})}});
  ASSERT_TRUE(parse_net_settings(root, &s, &bad).ok());
  EXPECT_EQ(s.interfaces[0].address, ip(10, 0, 2, 20));
  EXPECT_EQ(s.interfaces[0].prefix_length, 24); // the default netmask
  EXPECT_EQ(s.interfaces[0].gateway, ip(10, 0, 2, 1));
  EXPECT_EQ(s.interfaces[1].address, ip(172, 16, 0, 9));
  EXPECT_EQ(s.interfaces[1].prefix_length, 30);
  // 172.16.0.9 is the first address of its /30 itself: the last usable one instead.
  EXPECT_EQ(s.interfaces[1].gateway, ip(172, 16, 0, 10));
}

TEST(NetSettings, NameserversAsStringOrVector) {
  Values v;
  NetSettings s;
  const char* bad = nullptr;
  ASSERT_TRUE(
      parse_net_settings(v.tuple({{"nameservers", v.str("1.1.1.1, 8.8.8.8")}}), &s, &bad).ok());
  ASSERT_EQ(s.nameserver_count, 2);
  EXPECT_EQ(s.nameservers[0], ip(1, 1, 1, 1));
  EXPECT_EQ(s.nameservers[1], ip(8, 8, 8, 8));
  auto* list = v.vector({v.str("9.9.9.9"), v.str("1.0.0.1"), v.str("8.8.4.4"), v.str("4.4.4.4")});
  ASSERT_TRUE(parse_net_settings(v.tuple({{"nameservers", list}}), &s, &bad).ok());
  ASSERT_EQ(s.nameserver_count, 3); // resolvers read three
  EXPECT_EQ(s.nameservers[2], ip(8, 8, 4, 4));
}

TEST(NetSettings, BadValuesNameTheirKey) {
  Values v;
  NetSettings s;
  const char* bad = nullptr;
  struct Case {
    const char* key;
    tfs::Value* value;
  } cases[] = {{"ipaddr", v.str("10.0.2")},
               {"netmask", v.str("255.0.255.0")},
               {"gateway", v.str("gw")},
               {"mtu", v.str("100")},
               {"mtu", v.str("70000")},
               {"exec_wait_for_ip4_secs", v.str("soon")},
               {"nameservers", v.str("1.1.1.1 dns.example")}};
  for (const Case& c : cases) {
    EXPECT_FALSE(parse_net_settings(v.tuple({{c.key, c.value}}), &s, &bad).ok()) << c.key;
    ASSERT_NE(bad, nullptr);
    EXPECT_EQ(std::string(bad), c.key);
  }
  EXPECT_FALSE(parse_net_settings(v.tuple({{"en2", v.str("x")}}), &s, &bad).ok());
}

} // namespace
} // namespace net
