#include "net/checksum.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <vector>

namespace {

// A bit-at-a-time reference: the plain RFC 1071 definition over 16-bit words.
uint16_t reference_checksum(const std::vector<uint8_t>& bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i < bytes.size(); i += 2) {
    uint16_t word = uint16_t(bytes[i] << 8);
    if (i + 1 < bytes.size())
      word |= bytes[i + 1];
    sum += word;
    sum = (sum & 0xFFFF) + (sum >> 16);
  }
  return uint16_t(~sum);
}

TEST(Checksum, Rfc1071WorkedExample) {
  // RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2.
  const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(net::checksum_fold(net::checksum_partial(bytes, sizeof bytes)), 0xddf2);
  EXPECT_EQ(net::internet_checksum(bytes, sizeof bytes), 0x220d);
}

TEST(Checksum, KnownIpv4Header) {
  // A real IPv4 header (the classic example of checksum b861).
  uint8_t h[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(net::internet_checksum(h, sizeof h), 0xb861);
  h[10] = 0xb8;
  h[11] = 0x61;
  EXPECT_EQ(net::internet_checksum(h, sizeof h), 0); // an intact header sums to all ones
}

TEST(Checksum, MatchesReferenceForEveryLengthAndSplit) {
  std::vector<uint8_t> bytes(67);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = uint8_t(i * 37 + 11);
  for (size_t len = 0; len <= bytes.size(); ++len) {
    std::vector<uint8_t> part(bytes.begin(), bytes.begin() + len);
    uint16_t want = reference_checksum(part);
    EXPECT_EQ(net::internet_checksum(part.data(), len), want) << "len " << len;
    // Any split into two or three pieces (odd ones included) gives the same answer.
    for (size_t a = 0; a <= len; ++a) {
      size_t b = a + (len - a) / 2;
      net::Checksum sum;
      sum.add(part.data(), a);
      sum.add(part.data() + a, b - a);
      sum.add(part.data() + b, len - b);
      ASSERT_EQ(sum.finish(), want) << "len " << len << " split " << a << "," << b;
    }
  }
}

// The word-at-a-time sum against the reference on segment-sized data with many carries, at
// every start alignment; checksum_copy sums the same and copies every byte.
TEST(Checksum, WideSumAndCopyMatchReferenceAtEveryAlignment) {
  std::vector<uint8_t> bytes(1600);
  uint32_t x = 12345;
  for (auto& b : bytes) {
    x = x * 1103515245 + 12345;
    b = uint8_t(0xC0 | (x >> 24)); // high bytes: every addition carries
  }
  for (size_t start = 0; start < 8; ++start) {
    for (size_t len : {size_t{0}, size_t{1}, size_t{7}, size_t{33}, size_t{1447}, size_t{1448},
                       size_t{1460}, size_t{1591}}) {
      std::vector<uint8_t> part(bytes.begin() + start, bytes.begin() + start + len);
      uint16_t want = reference_checksum(part);
      EXPECT_EQ(net::internet_checksum(bytes.data() + start, len), want) << start << " " << len;
      std::vector<uint8_t> out(len + 16, 0xEE);
      uint64_t sum = net::checksum_copy(out.data() + start, bytes.data() + start, len, 7);
      EXPECT_EQ(net::checksum_fold(sum),
                net::checksum_fold(net::checksum_partial(part.data(), len, 7)))
          << start << " " << len;
      EXPECT_TRUE(std::equal(part.begin(), part.end(), out.begin() + start));
      EXPECT_EQ(out[start + len], 0xEE); // nothing written past the end
    }
  }
}

TEST(Checksum, AllOnesDataDoesNotOverflow) {
  std::vector<uint8_t> bytes(1 << 20, 0xFF);
  EXPECT_EQ(net::internet_checksum(bytes.data(), bytes.size()), reference_checksum(bytes));
}

TEST(Checksum, PseudoHeaderIsTheSumOfItsBytes) {
  uint32_t src = 0xC0A80001, dst = 0x0A000002;
  const uint8_t image[] = {0xC0, 0xA8, 0x00, 0x01, 0x0A, 0x00, 0x00, 0x02, 0x00, 17, 0x01, 0x2C};
  EXPECT_EQ(net::checksum_fold(net::pseudo_header_ipv4(src, dst, 17, 300)),
            net::checksum_fold(net::checksum_partial(image, sizeof image)));
}

TEST(Checksum, AddU16AtAnOddOffset) {
  const uint8_t bytes[] = {0x12, 0xAB, 0xCD, 0x34};
  net::Checksum sum;
  sum.add(bytes, 1);
  sum.add_u16(0xABCD);
  sum.add(bytes + 3, 1);
  EXPECT_EQ(sum.finish(), net::internet_checksum(bytes, sizeof bytes));
}

TEST(Checksum, IncrementalUpdateMatchesRecomputation) {
  uint8_t h[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  uint16_t before = net::internet_checksum(h, sizeof h);
  // TTL 0x40 -> 0x3f changes the word at offset 8.
  uint16_t old_word = uint16_t(h[8] << 8 | h[9]);
  h[8] = 0x3f;
  uint16_t new_word = uint16_t(h[8] << 8 | h[9]);
  EXPECT_EQ(net::checksum_update16(before, old_word, new_word),
            net::internet_checksum(h, sizeof h));
  // A rewritten destination address.
  uint16_t mid = net::internet_checksum(h, sizeof h);
  h[16] = 0x0a;
  h[17] = 0x01;
  h[18] = 0x02;
  h[19] = 0x03;
  EXPECT_EQ(net::checksum_update32(mid, 0xc0a800c7, 0x0a010203),
            net::internet_checksum(h, sizeof h));
}

} // namespace
