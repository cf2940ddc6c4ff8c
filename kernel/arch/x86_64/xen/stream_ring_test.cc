#include "arch/x86_64/xen/stream_ring.h"

#include <cstring>
#include <gtest/gtest.h>
#include <string>

namespace xen {
namespace {

// A ring of 16 bytes with its indexes after it, as on a shared page.
struct Shared {
  alignas(8) uint8_t bytes[24] = {};
  StreamRing ring{bytes, 16, bytes + 16, bytes + 20};
  uint32_t cons() const { return get(16); }
  uint32_t prod() const { return get(20); }
  uint32_t get(size_t off) const {
    uint32_t v;
    memcpy(&v, bytes + off, 4);
    return v;
  }
  void set_indexes(uint32_t cons, uint32_t prod) {
    memcpy(bytes + 16, &cons, 4);
    memcpy(bytes + 20, &prod, 4);
  }
};

TEST(XenStreamRing, ProduceThenConsumeRoundTripsAndMovesBothIndexes) {
  Shared s;
  EXPECT_EQ(s.ring.produce("hello", 5), 5u);
  EXPECT_EQ(s.prod(), 5u);
  EXPECT_EQ(s.ring.waiting(), 5u);
  char out[8] = {};
  EXPECT_EQ(s.ring.consume(out, sizeof out), 5u);
  EXPECT_STREQ(out, "hello");
  EXPECT_EQ(s.cons(), 5u);
  EXPECT_EQ(s.ring.waiting(), 0u);
}

TEST(XenStreamRing, FullRingTakesWhatFitsAndWrapsAcrossTheEnd) {
  Shared s;
  s.set_indexes(12, 12);
  EXPECT_EQ(s.ring.produce("abcdefghijklmnopqrst", 20), 16u);
  EXPECT_EQ(s.ring.produce("x", 1), 0u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(s.bytes) + 12, 4), "abcd");
  EXPECT_EQ(std::string(reinterpret_cast<char*>(s.bytes), 4), "efgh");
  char out[20] = {};
  EXPECT_EQ(s.ring.consume(out, 6), 6u);
  EXPECT_STREQ(out, "abcdef");
  EXPECT_EQ(s.ring.produce("XY", 2), 2u);
  EXPECT_EQ(s.prod(), 30u);
}

TEST(XenStreamRing, IndexesWrapAroundTheirThirtyTwoBits) {
  Shared s;
  s.set_indexes(0xFFFFFFFEu, 0xFFFFFFFEu);
  EXPECT_EQ(s.ring.produce("wxyz", 4), 4u);
  EXPECT_EQ(s.prod(), 2u);
  EXPECT_EQ(s.ring.waiting(), 4u);
  char out[5] = {};
  EXPECT_EQ(s.ring.consume(out, 4), 4u);
  EXPECT_STREQ(out, "wxyz");
}

TEST(XenStreamRing, PeekLeavesTheBytesWaiting) {
  Shared s;
  s.ring.produce("abc", 3);
  char out[4] = {};
  EXPECT_FALSE(s.ring.peek(out, 4));
  EXPECT_TRUE(s.ring.peek(out, 3));
  EXPECT_STREQ(out, "abc");
  EXPECT_EQ(s.ring.waiting(), 3u);
  EXPECT_EQ(s.cons(), 0u);
}

TEST(XenStreamRing, CorruptIndexesAreNeverReadFrom) {
  Shared s;
  EXPECT_TRUE(s.ring.sane());
  s.set_indexes(0, 17); // the producer claims more than a ring
  EXPECT_FALSE(s.ring.sane());
  EXPECT_EQ(s.ring.waiting(), 0u);
  char out[32];
  EXPECT_EQ(s.ring.consume(out, sizeof out), 0u);
  EXPECT_FALSE(s.ring.peek(out, 1));
  EXPECT_EQ(s.ring.produce("a", 1), 0u);
  EXPECT_EQ(s.cons(), 0u);
}

} // namespace
} // namespace xen
