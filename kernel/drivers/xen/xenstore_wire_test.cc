#include "drivers/xen/xenstore_wire.h"
#include "lib/errno.h"

#include <cstring>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace xenstore {
namespace {

struct Page {
  alignas(4096) uint8_t bytes[4096] = {};
  Ring ring{bytes};
};

TEST(XenstoreRing, RequestReachesTheDaemonInOrder) {
  Page p;
  const char msg[] = "hello";
  EXPECT_EQ(p.ring.put(msg, sizeof msg), sizeof msg);
  char got[16] = {};
  EXPECT_EQ(p.ring.daemon_get(got, sizeof got), sizeof msg);
  EXPECT_STREQ(got, "hello");
  EXPECT_EQ(p.ring.daemon_get(got, sizeof got), 0u);
}

TEST(XenstoreRing, FullRequestRingTakesOnlyWhatFits) {
  Page p;
  std::vector<uint8_t> big(1500, 0x5A);
  EXPECT_EQ(p.ring.put(big.data(), big.size()), Ring::kSize);
  EXPECT_EQ(p.ring.put(big.data(), 1), 0u);
  std::vector<uint8_t> got(600);
  EXPECT_EQ(p.ring.daemon_get(got.data(), got.size()), 600u);
  EXPECT_EQ(p.ring.put(big.data(), big.size()), 600u);
}

TEST(XenstoreRing, ResponsesWrapAroundTheRingEnd) {
  Page p;
  // Move the indexes close to the end (and past 2^32 wrap) by pushing traffic through.
  std::vector<uint8_t> chunk(1000);
  for (int round = 0; round < 5; ++round) {
    for (size_t i = 0; i < chunk.size(); ++i)
      chunk[i] = static_cast<uint8_t>(round * 7 + i);
    ASSERT_EQ(p.ring.daemon_put(chunk.data(), chunk.size()), chunk.size());
    EXPECT_EQ(p.ring.available(), chunk.size());
    std::vector<uint8_t> got(chunk.size());
    uint8_t first[4];
    ASSERT_TRUE(p.ring.peek(first, 4));
    EXPECT_EQ(0, memcmp(first, chunk.data(), 4));
    ASSERT_EQ(p.ring.get(got.data(), got.size()), got.size());
    EXPECT_EQ(got, chunk);
  }
}

TEST(XenstoreRing, IndexesWrapAt32Bits) {
  Page p;
  uint32_t start = 0xFFFFFFF0u;
  memcpy(p.bytes + Ring::kRspConsOffset, &start, 4);
  memcpy(p.bytes + Ring::kRspProdOffset, &start, 4);
  const char msg[] = "0123456789abcdefghij";
  ASSERT_EQ(p.ring.daemon_put(msg, sizeof msg), sizeof msg);
  char got[sizeof msg];
  ASSERT_EQ(p.ring.get(got, sizeof got), sizeof msg);
  EXPECT_STREQ(got, msg);
}

TEST(XenstoreRing, CorruptIndexesReadNothing) {
  Page p;
  uint32_t prod = 5000;
  memcpy(p.bytes + Ring::kRspProdOffset, &prod, 4);
  char got[8];
  EXPECT_EQ(p.ring.available(), 0u);
  EXPECT_EQ(p.ring.get(got, sizeof got), 0u);
  EXPECT_FALSE(p.ring.peek(got, 1));
}

TEST(XenstoreRing, PeekNeedsTheWholeRange) {
  Page p;
  Header h{kRead, 1, 0, 3};
  ASSERT_EQ(p.ring.daemon_put(&h, 8), 8u);
  Header got;
  EXPECT_FALSE(p.ring.peek(&got, sizeof got));
  ASSERT_EQ(p.ring.daemon_put(reinterpret_cast<uint8_t*>(&h) + 8, 8), 8u);
  ASSERT_TRUE(p.ring.peek(&got, sizeof got));
  EXPECT_EQ(got.type, kRead);
  EXPECT_EQ(got.len, 3u);
  EXPECT_EQ(p.ring.available(), sizeof got); // peek consumed nothing
}

TEST(XenstoreErrors, NamesMapToErrnos) {
  EXPECT_EQ(error_from_name("ENOENT", 7), -ENOENT); // with its NUL
  EXPECT_EQ(error_from_name("EAGAIN", 6), -EAGAIN);
  EXPECT_EQ(error_from_name("EACCES", 7), -EACCES);
  EXPECT_EQ(error_from_name("ENOEN", 5), -EIO);
  EXPECT_EQ(error_from_name("ENOENTX", 7), -EIO);
  EXPECT_EQ(error_from_name("", 0), -EIO);
}

TEST(XenstoreDirectory, NamesAreSplitAtNul) {
  const char listing[] = "51712\0"
                         "51728\0"
                         "x";
  std::vector<std::string> names;
  for_each_name(
      listing, sizeof listing - 1,
      [](void* ctx, const char* name, size_t len) {
        static_cast<std::vector<std::string>*>(ctx)->emplace_back(name, len);
      },
      &names);
  EXPECT_EQ(names, (std::vector<std::string>{"51712", "51728", "x"}));
  names.clear();
  for_each_name(
      "", 0, [](void*, const char*, size_t) { FAIL(); }, &names);
}

} // namespace
} // namespace xenstore
