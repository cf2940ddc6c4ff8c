#include "net/bytes.h"
#include "net/checksum.h"
#include "net/packet.h"

#include <cstring>
#include <gtest/gtest.h>

namespace net {
namespace {

TEST(Packet, PushPullPutTrim) {
  PacketPtr p = PacketPtr::allocate(16, 32);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->length(), 0u);
  EXPECT_EQ(p->headroom(), 16u);
  EXPECT_EQ(p->tailroom(), 32u);
  ASSERT_TRUE(p->append("payload", 7));
  uint8_t* h = p->push(4);
  ASSERT_NE(h, nullptr);
  std::memcpy(h, "HDR:", 4);
  EXPECT_EQ(p->length(), 11u);
  EXPECT_EQ(std::memcmp(p->data(), "HDR:payload", 11), 0);
  EXPECT_EQ(p->push(13), nullptr); // only 12 bytes of headroom are left
  EXPECT_TRUE(p->pull(4));
  EXPECT_EQ(std::memcmp(p->data(), "payload", 7), 0);
  EXPECT_FALSE(p->pull(8));
  p->trim(3);
  EXPECT_EQ(p->length(), 3u);
  p->trim(10); // longer: no change
  EXPECT_EQ(p->length(), 3u);
  EXPECT_EQ(p->put(40), nullptr);
}

TEST(Packet, TransmitChecksumSurvivesHeaderPushes) {
  // A UDP-like header: checksum at offset 6, seeded with a pseudo-header sum.
  PacketPtr p = PacketPtr::allocate(64, 16);
  uint8_t body[12] = {0x12, 0x34, 0x00, 0x35, 0x00, 0x0C, 0, 0, 'a', 'b', 'c', 'd'};
  uint64_t pseudo = pseudo_header_ipv4(0x0A000001, 0x0A000002, 17, 12);
  put_be16(body + 6, checksum_fold(pseudo));
  p->append(body, sizeof body);
  p->set_tx_checksum(0, 6, true);
  p->push(20); // an IP header in front
  EXPECT_TRUE(p->tx_checksum_needed());
  EXPECT_EQ(p->tx_checksum_start(), 20u);
  p->finish_tx_checksum();
  EXPECT_FALSE(p->tx_checksum_needed());
  Checksum verify;
  verify.add_pseudo_header_ipv4(0x0A000001, 0x0A000002, 17, 12);
  verify.add(p->data() + 20, 12);
  EXPECT_TRUE(verify.verifies());
}

TEST(PacketQueue, FifoCountsAndFrees) {
  PacketQueue q;
  for (int i = 0; i < 3; ++i) {
    PacketPtr p = PacketPtr::allocate(0, 8);
    p->put(size_t(i + 1))[0] = uint8_t(i);
    q.push_back(p.take());
  }
  EXPECT_EQ(q.count(), 3u);
  EXPECT_EQ(q.bytes(), 6u);
  PacketPtr first = q.pop_front();
  EXPECT_EQ(first->data()[0], 0);
  EXPECT_EQ(q.count(), 2u);
  EXPECT_EQ(q.bytes(), 5u);
  PacketQueue moved(static_cast<PacketQueue&&>(q));
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(moved.count(), 2u);
  // The rest is freed by the destructor (ASan reports a leak otherwise).
}

} // namespace
} // namespace net
