#include "drivers/virtio/net_header.h"

#include <gtest/gtest.h>

namespace virtio {
namespace {

TEST(NetHeader, SizesFollowTheSpec) {
  EXPECT_EQ(net_header_size(true), 12u);
  EXPECT_EQ(net_header_size(false), 10u);
}

TEST(NetHeader, EncodesLittleEndianFieldsInSpecOrder) {
  NetHeader h;
  h.flags = NetHeader::kNeedsCsum;
  h.csum_start = 34;  // Ethernet + IPv4 header
  h.csum_offset = 16; // TCP checksum field
  h.hdr_len = 0x1234;
  h.gso_size = 0x5678;
  h.num_buffers = 0x9abc;
  uint8_t out[12] = {};
  encode_net_header(h, out, sizeof out);
  const uint8_t want[12] = {1, 0, 0x34, 0x12, 0x78, 0x56, 34, 0, 16, 0, 0xbc, 0x9a};
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(out[i], want[i]) << "byte " << i;
}

TEST(NetHeader, TenByteHeaderLeavesTheNextBytesAlone) {
  uint8_t out[12];
  for (uint8_t& b : out)
    b = 0xEE;
  encode_net_header(NetHeader{}, out, 10);
  EXPECT_EQ(out[9], 0);
  EXPECT_EQ(out[10], 0xEE); // the frame starts here on a legacy device
  EXPECT_EQ(out[11], 0xEE);
}

TEST(NetHeader, DecodesWhatWasEncoded) {
  NetHeader h;
  h.flags = NetHeader::kDataValid;
  h.num_buffers = 3;
  h.csum_start = 0x0102;
  uint8_t buf[12];
  encode_net_header(h, buf, sizeof buf);
  NetHeader back = decode_net_header(buf, sizeof buf);
  EXPECT_EQ(back.flags, NetHeader::kDataValid);
  EXPECT_EQ(back.num_buffers, 3);
  EXPECT_EQ(back.csum_start, 0x0102);
  // Without the field a frame always fills exactly one buffer.
  EXPECT_EQ(decode_net_header(buf, 10).num_buffers, 1);
}

TEST(NetHeader, ReceivedChecksumTrustedOnlyWhenTheDeviceSaysSo) {
  NetHeader h;
  EXPECT_FALSE(received_checksum_ok(h));
  h.flags = NetHeader::kDataValid;
  EXPECT_TRUE(received_checksum_ok(h));
  h.flags = NetHeader::kNeedsCsum;
  EXPECT_TRUE(received_checksum_ok(h));
}

} // namespace
} // namespace virtio
