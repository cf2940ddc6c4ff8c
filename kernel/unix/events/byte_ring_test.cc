#include "unix/events/byte_ring.h"

#include <gtest/gtest.h>

#include <string>

namespace unix {
namespace {

std::string drain(ByteRing& r) {
  std::string out;
  while (!r.empty()) {
    ByteSpan s = r.readable();
    out.append(reinterpret_cast<char*>(s.data), s.len);
    r.consume(s.len);
  }
  return out;
}

TEST(ByteRing, PushPeekConsume) {
  uint8_t store[8];
  ByteRing r;
  r.init(store, sizeof store);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.space(), 8u);
  EXPECT_EQ(r.push("abcde", 5), 5u);
  EXPECT_EQ(r.size(), 5u);
  char out[8] = {};
  EXPECT_EQ(r.peek(1, out, 3), 3u);
  EXPECT_EQ(std::string(out, 3), "bcd");
  EXPECT_EQ(r.size(), 5u); // peek consumes nothing
  EXPECT_EQ(r.peek(4, out, 8), 1u);
  EXPECT_EQ(r.peek(5, out, 8), 0u);
  r.consume(2);
  EXPECT_EQ(drain(r), "cde");
}

TEST(ByteRing, FullRingRefusesAndWrapsAround) {
  uint8_t store[8];
  ByteRing r;
  r.init(store, sizeof store);
  EXPECT_EQ(r.push("0123456789", 10), 8u); // only what fits
  EXPECT_EQ(r.space(), 0u);
  EXPECT_EQ(r.writable().len, 0u);
  EXPECT_EQ(r.push("x", 1), 0u);
  r.consume(5); // head at 5: free space wraps
  EXPECT_EQ(r.push("abcd", 4), 4u);
  // Stored "567abcd": the first span stops at the physical end of the buffer.
  EXPECT_EQ(r.readable().len, 3u);
  EXPECT_EQ(r.readable(3).len, 4u);
  char out[8] = {};
  EXPECT_EQ(r.peek(2, out, 4), 4u);
  EXPECT_EQ(std::string(out, 4), "7abc");
  EXPECT_EQ(drain(r), "567abcd");
}

TEST(ByteRing, EmptyRingRestartsAtTheFront) {
  uint8_t store[8];
  ByteRing r;
  r.init(store, sizeof store);
  r.push("abcdef", 6);
  r.consume(6);
  // Once empty the next write is contiguous over the whole buffer again.
  EXPECT_EQ(r.writable().len, 8u);
}

TEST(ByteRing, CommitAndDropNewest) {
  uint8_t store[8];
  ByteRing r;
  r.init(store, sizeof store);
  ByteSpan w = r.writable();
  ASSERT_EQ(w.len, 8u);
  memcpy(w.data, "hey", 3);
  r.commit(3);
  r.push("12", 2);
  r.drop_newest(2); // a datagram that could not be copied whole is taken back
  EXPECT_EQ(drain(r), "hey");
  r.commit(100); // never beyond the free space
  EXPECT_EQ(r.size(), 8u);
}

} // namespace
} // namespace unix
