#include "net/route.h"
#include "net/test_support.h"

#include <gtest/gtest.h>

namespace net {
namespace {
using test::ip;
using test::mac;

TEST(RouteTable, LongestPrefixThenMetricOverUpInterfaces) {
  test::CaptureInterface eth0("eth0", mac(1)), eth1("eth1", mac(2));
  RouteTable t;
  ASSERT_TRUE(t.add({ip(10, 0, 0, 0), 8, Ipv4Address::any(), &eth0, 0}));
  ASSERT_TRUE(t.add({ip(10, 1, 0, 77), 16, Ipv4Address::any(), &eth1, 0})); // masked to 10.1/16
  ASSERT_TRUE(t.add({Ipv4Address::any(), 0, ip(10, 0, 0, 1), &eth0, 100}));
  ASSERT_TRUE(t.add({Ipv4Address::any(), 0, ip(10, 1, 0, 1), &eth1, 50}));
  EXPECT_EQ(t.add({ip(10, 0, 0, 0), 8, Ipv4Address::any(), &eth0, 0}).error(), -EEXIST);

  EXPECT_EQ(t.lookup(ip(10, 1, 2, 3))->interface, &eth1);
  EXPECT_EQ(t.lookup(ip(10, 2, 2, 3))->interface, &eth0);
  const Route* def = t.lookup(ip(1, 1, 1, 1));
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(def->gateway, ip(10, 1, 0, 1)); // the lower metric
  eth1.set_up(false);
  EXPECT_EQ(t.lookup(ip(10, 1, 2, 3))->interface, &eth0); // falls back to the /8
  EXPECT_EQ(t.lookup(ip(1, 1, 1, 1))->gateway, ip(10, 0, 0, 1));
  EXPECT_EQ(t.remove_interface(&eth0), 2u);
  EXPECT_EQ(t.lookup(ip(1, 1, 1, 1)), nullptr);
  EXPECT_EQ(t.remove(ip(10, 1, 0, 0), 16, nullptr), 1u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(RouteTable, Full) {
  test::CaptureInterface eth0("eth0", mac(1));
  RouteTable t;
  for (size_t i = 0; i < RouteTable::kMaxRoutes; ++i)
    ASSERT_TRUE(t.add({ip(10, uint8_t(i), 0, 0), 16, Ipv4Address::any(), &eth0, 0}));
  EXPECT_EQ(t.add({ip(11, 0, 0, 0), 8, Ipv4Address::any(), &eth0, 0}).error(), -ENOSPC);
}

} // namespace
} // namespace net
