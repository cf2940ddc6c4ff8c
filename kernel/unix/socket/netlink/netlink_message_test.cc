#include "unix/socket/netlink/netlink_message.h"

#include <gtest/gtest.h>
#include <string.h>

namespace unix::netlink {
namespace {

TEST(NetlinkMessage, WritesHeaderPayloadAndPaddedAttributes) {
  uint8_t buf[64];
  memset(buf, 0xEE, sizeof buf);
  MessageWriter w(buf, sizeof buf);
  w.begin(kRtmNewLink, kFlagMulti, 7, 42);
  uint8_t fixed[3] = {1, 2, 3};
  w.put(fixed, 3);             // padded to 4
  w.attribute_string(3, "lo"); // 4 + 3 bytes, padded to 8
  w.attribute_u32(4, 65536);
  ASSERT_TRUE(w.end());
  EXPECT_EQ(w.size(), 16u + 4 + 8 + 8);
  MessageHeader h;
  ASSERT_TRUE(read_header(buf, w.size(), &h));
  EXPECT_EQ(h.length, w.size());
  EXPECT_EQ(h.type, kRtmNewLink);
  EXPECT_EQ(h.flags, kFlagMulti);
  EXPECT_EQ(h.sequence, 7u);
  EXPECT_EQ(h.port_id, 42u);
  EXPECT_EQ(buf[16], 1);
  EXPECT_EQ(buf[19], 0); // padding is zero
  AttributeReader r(buf + 20, w.size() - 20);
  uint16_t type;
  const uint8_t* value;
  size_t len;
  ASSERT_TRUE(r.next(&type, &value, &len));
  EXPECT_EQ(type, 3);
  EXPECT_EQ(len, 3u);
  EXPECT_STREQ(reinterpret_cast<const char*>(value), "lo");
  EXPECT_EQ(buf[20 + 7], 0);
  ASSERT_TRUE(r.next(&type, &value, &len));
  EXPECT_EQ(type, 4);
  uint32_t mtu;
  memcpy(&mtu, value, 4);
  EXPECT_EQ(mtu, 65536u);
  EXPECT_FALSE(r.next(&type, &value, &len));
}

TEST(NetlinkMessage, AMessageThatDoesNotFitIsTakenBack) {
  uint8_t buf[40];
  MessageWriter w(buf, sizeof buf);
  w.begin(1, 0, 1, 0);
  w.attribute_u32(1, 5);
  ASSERT_TRUE(w.end());
  EXPECT_EQ(w.size(), 24u);
  w.begin(2, 0, 2, 0);
  w.attribute_u32(1, 5); // 16 + 8 more: 48 > 40
  EXPECT_FALSE(w.end());
  EXPECT_EQ(w.size(), 24u);
  // The writer is usable again after the failure.
  w.clear();
  w.begin(2, 0, 2, 0);
  EXPECT_TRUE(w.end());
  EXPECT_EQ(w.size(), 16u);
}

TEST(NetlinkMessage, RejectsBadLengths) {
  uint8_t buf[32] = {};
  MessageHeader h;
  EXPECT_FALSE(read_header(buf, 15, &h)); // no room for a header
  uint32_t len = 12;                      // shorter than a header
  memcpy(buf, &len, 4);
  EXPECT_FALSE(read_header(buf, sizeof buf, &h));
  len = 33; // longer than the datagram
  memcpy(buf, &len, 4);
  EXPECT_FALSE(read_header(buf, sizeof buf, &h));
  len = 32;
  memcpy(buf, &len, 4);
  EXPECT_TRUE(read_header(buf, sizeof buf, &h));
}

TEST(NetlinkMessage, AttributeReaderStopsAtMalformedAttributes) {
  // A valid attribute, then one whose length runs past the end.
  uint8_t buf[12] = {5, 0, 1, 0, 9, 0, 0, 0, 20, 0, 2, 0};
  AttributeReader r(buf, sizeof buf);
  uint16_t type;
  const uint8_t* value;
  size_t len;
  ASSERT_TRUE(r.next(&type, &value, &len));
  EXPECT_EQ(len, 1u);
  EXPECT_EQ(value[0], 9);
  EXPECT_FALSE(r.next(&type, &value, &len));
  uint8_t short_len[4] = {2, 0, 1, 0}; // less than its own header
  AttributeReader r2(short_len, 4);
  EXPECT_FALSE(r2.next(&type, &value, &len));
}

} // namespace
} // namespace unix::netlink
