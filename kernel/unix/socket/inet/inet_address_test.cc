#include "unix/socket/inet/inet_address.h"

#include <errno.h>
#include <gtest/gtest.h>

namespace unix::inet {
namespace {

TEST(InetAddress, ReadsSockaddrIn) {
  const uint8_t sin[16] = {2, 0, 0x1F, 0x90, 127, 0, 0, 1};
  auto a = parse_address(kAfInet, sin, sizeof sin);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->v4, 0x7F000001u);
  EXPECT_FALSE(a->native_v6);
  EXPECT_EQ(parse_address(kAfInet, sin, 15).error(), -EINVAL);
  const uint8_t unix_family[16] = {1, 0};
  EXPECT_EQ(parse_address(kAfInet, unix_family, 16).error(), -EAFNOSUPPORT);
}

TEST(InetAddress, MapsIpv6FormsOntoIpv4) {
  uint8_t sin6[28] = {10, 0, 0, 80};
  sin6[18] = sin6[19] = 0xFF;
  sin6[20] = 10, sin6[21] = 0, sin6[22] = 2, sin6[23] = 15;
  auto mapped = parse_address(kAfInet6, sin6, sizeof sin6);
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->v4, 0x0A00020Fu);
  EXPECT_EQ(mapped->port, 80);
  EXPECT_FALSE(mapped->native_v6);
  EXPECT_FALSE(mapped->unspecified_v6);

  uint8_t any[28] = {10, 0};
  auto wildcard = parse_address(kAfInet6, any, sizeof any);
  ASSERT_TRUE(wildcard.ok());
  EXPECT_TRUE(wildcard->unspecified_v6);
  EXPECT_TRUE(wildcard->is_any());

  uint8_t loopback[28] = {10, 0};
  loopback[23] = 1; // ::1
  auto one = parse_address(kAfInet6, loopback, sizeof loopback);
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->native_v6);
  EXPECT_FALSE(one->is_any());
  EXPECT_EQ(parse_address(kAfInet6, loopback, 24).error(), -EINVAL);
}

TEST(InetAddress, WritesWhatItReads) {
  InetAddress a;
  a.v4 = 0xC0A80001;
  a.port = 443;
  uint8_t out[28];
  ASSERT_EQ(format_address(kAfInet, a, out), 16u);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[2], 0x01);
  EXPECT_EQ(out[3], 0xBB);
  EXPECT_EQ(out[4], 192);
  EXPECT_EQ(out[7], 1);
  auto back = parse_address(kAfInet, out, 16);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->v4, a.v4);

  ASSERT_EQ(format_address(kAfInet6, a, out), 28u);
  EXPECT_EQ(out[0], 10);
  EXPECT_EQ(out[18], 0xFF);
  EXPECT_EQ(out[20], 192);
  auto back6 = parse_address(kAfInet6, out, 28);
  ASSERT_TRUE(back6.ok());
  EXPECT_EQ(back6->v4, a.v4);
  EXPECT_EQ(back6->port, 443);

  InetAddress zero;
  format_address(kAfInet6, zero, out);
  for (int i = 8; i < 24; ++i)
    EXPECT_EQ(out[i], 0) << i; // 0.0.0.0 shows as ::
}

} // namespace
} // namespace unix::inet
