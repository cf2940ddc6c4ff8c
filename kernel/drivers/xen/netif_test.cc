#include "drivers/xen/netif.h"

#include <cstring>
#include <gtest/gtest.h>

namespace netif {
namespace {

TEST(NetifLayout, OffsetsMatchTheProtocol) {
  EXPECT_EQ(offsetof(TxRequest, offset), 4u);
  EXPECT_EQ(offsetof(TxRequest, flags), 6u);
  EXPECT_EQ(offsetof(TxRequest, id), 8u);
  EXPECT_EQ(offsetof(TxRequest, size), 10u);
  EXPECT_EQ(offsetof(TxResponse, status), 2u);
  EXPECT_EQ(offsetof(RxRequest, gref), 4u);
  EXPECT_EQ(offsetof(RxResponse, offset), 2u);
  EXPECT_EQ(offsetof(RxResponse, flags), 4u);
  EXPECT_EQ(offsetof(RxResponse, status), 6u);
}

TEST(NetifRx, AFrameInOnePage) {
  RxPart part = check_rx_response(0, kRxDataValidated, 1514);
  EXPECT_TRUE(part.valid);
  EXPECT_EQ(part.offset, 0);
  EXPECT_EQ(part.length, 1514);
  EXPECT_FALSE(part.more);
  EXPECT_FALSE(part.extra);
  EXPECT_TRUE(part.checksum_ok);
  EXPECT_TRUE(check_rx_response(0, kRxChecksumBlank, 60).checksum_ok);
  EXPECT_FALSE(check_rx_response(0, 0, 60).checksum_ok);
}

TEST(NetifRx, ErrorsAndRegionsOutsideThePageAreInvalid) {
  EXPECT_FALSE(check_rx_response(0, 0, kError).valid);
  EXPECT_FALSE(check_rx_response(0, 0, kDropped).valid);
  EXPECT_FALSE(check_rx_response(0, 0, 0).valid); // an empty frame
  EXPECT_FALSE(check_rx_response(4000, 0, 200).valid);
  EXPECT_FALSE(check_rx_response(4096, 0, 1).valid);
  EXPECT_TRUE(check_rx_response(4000, 0, 96).valid); // ends exactly at the page's end
}

TEST(NetifRx, ContinuationAndExtraFlags) {
  RxPart part = check_rx_response(64, kRxMoreData | kRxExtraInfo, 2048);
  EXPECT_TRUE(part.valid);
  EXPECT_TRUE(part.more);
  EXPECT_TRUE(part.extra);
  EXPECT_TRUE(check_rx_response(0, kRxMoreData, 0).valid); // an empty middle part
}

TEST(NetifMac, ParsesTheXenstoreForm) {
  uint8_t mac[6];
  ASSERT_TRUE(parse_mac("00:16:3e:0A:bB:ff", mac));
  const uint8_t want[6] = {0x00, 0x16, 0x3e, 0x0a, 0xbb, 0xff};
  EXPECT_EQ(memcmp(mac, want, 6), 0);
}

TEST(NetifMac, RejectsMalformedText) {
  uint8_t mac[6];
  EXPECT_FALSE(parse_mac("", mac));
  EXPECT_FALSE(parse_mac("00:16:3e:0a:0b", mac));
  EXPECT_FALSE(parse_mac("00:16:3e:0a:0b:0c:0d", mac));
  EXPECT_FALSE(parse_mac("00-16-3e-0a-0b-0c", mac));
  EXPECT_FALSE(parse_mac("0g:16:3e:0a:0b:0c", mac));
  EXPECT_FALSE(parse_mac("0:16:3e:0a:0b:0c", mac));
}

} // namespace
} // namespace netif
