#include "arch/x86_64/xen/console_ring.h"

#include <cstring>
#include <gtest/gtest.h>
#include <string>

namespace xen {
namespace {

struct Page {
  alignas(4096) uint8_t bytes[4096] = {};
  ConsoleRing ring{bytes};
  uint32_t u32(size_t off) const {
    uint32_t v;
    memcpy(&v, bytes + off, 4);
    return v;
  }
  void set(size_t off, uint32_t v) { memcpy(bytes + off, &v, 4); }
};

TEST(XenConsoleRing, OutputLandsInTheOutRingAndIsPublished) {
  Page p;
  EXPECT_EQ(p.ring.write("hi\n", 3), 3u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(p.bytes + ConsoleRing::kInSize), 3), "hi\n");
  EXPECT_EQ(p.u32(ConsoleRing::kOutProdOffset), 3u);
  EXPECT_EQ(p.ring.unread_output(), 3u);
  p.set(ConsoleRing::kOutConsOffset, 3); // the daemon took it
  EXPECT_EQ(p.ring.unread_output(), 0u);
}

TEST(XenConsoleRing, FullRingTakesWhatFitsAndWraps) {
  Page p;
  std::string big(3000, 'x');
  EXPECT_EQ(p.ring.write(big.data(), big.size()), ConsoleRing::kOutSize);
  EXPECT_EQ(p.ring.write("y", 1), 0u);
  p.set(ConsoleRing::kOutConsOffset, 100);
  EXPECT_EQ(p.ring.write("abc", 3), 3u);
  // Bytes 2048..2050 wrap to the ring's start.
  EXPECT_EQ(p.bytes[ConsoleRing::kInSize + 0], 'a');
  EXPECT_EQ(p.bytes[ConsoleRing::kInSize + 2], 'c');
  EXPECT_EQ(p.u32(ConsoleRing::kOutProdOffset), 2051u);
}

TEST(XenConsoleRing, InputIsReadAndConsumed) {
  Page p;
  memcpy(p.bytes + 1022, "ab", 2);
  memcpy(p.bytes, "cd", 2);
  p.set(ConsoleRing::kInConsOffset, 1022);
  p.set(ConsoleRing::kInProdOffset, 1026);
  char got[8] = {};
  EXPECT_EQ(p.ring.read(got, sizeof got), 4u);
  EXPECT_STREQ(got, "abcd");
  EXPECT_EQ(p.u32(ConsoleRing::kInConsOffset), 1026u);
  EXPECT_EQ(p.ring.read(got, sizeof got), 0u);
}

TEST(XenConsoleRing, CorruptIndexesAreDetected) {
  Page p;
  EXPECT_TRUE(p.ring.sane());
  p.set(ConsoleRing::kOutProdOffset, 5000);
  EXPECT_FALSE(p.ring.sane());
}

} // namespace
} // namespace xen
