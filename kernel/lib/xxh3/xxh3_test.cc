// Checks the XXH3-128 written from the specification against Debian's libxxhash, one-shot
// and streamed in pieces of several sizes, on every length 0-300 (all the small, medium and
// first large cases), around the block size, 1 KiB, 1 MiB and random data.
#include "lib/xxh3/xxh3.h"

#include <gtest/gtest.h>
#include <random>
#include <vector>
#include <xxhash.h>

namespace {

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v)
    b = static_cast<uint8_t>(rng());
  return v;
}

void expect_same(const std::vector<uint8_t>& data, size_t len) {
  XXH128_hash_t want = XXH3_128bits(data.data(), len);
  xxh3::Hash128 got = xxh3::hash128(data.data(), len);
  ASSERT_EQ(got.low, want.low64) << "length " << len;
  ASSERT_EQ(got.high, want.high64) << "length " << len;
}

void expect_same_streamed(const std::vector<uint8_t>& data, size_t len, size_t piece) {
  XXH128_hash_t want = XXH3_128bits(data.data(), len);
  xxh3::Hasher128 h;
  for (size_t at = 0; at < len; at += piece)
    h.update(data.data() + at, len - at < piece ? len - at : piece);
  xxh3::Hash128 got = h.digest();
  ASSERT_EQ(got.low, want.low64) << "length " << len << " in pieces of " << piece;
  ASSERT_EQ(got.high, want.high64) << "length " << len << " in pieces of " << piece;
  ASSERT_EQ(h.total_length(), len);
}

TEST(Xxh3, EveryLengthUpTo300MatchesLibxxhash) {
  auto data = random_bytes(300, 1);
  for (size_t len = 0; len <= 300; ++len)
    expect_same(data, len);
}

TEST(Xxh3, NullPointerForEmptyInput) {
  XXH128_hash_t want = XXH3_128bits(nullptr, 0);
  xxh3::Hash128 got = xxh3::hash128(nullptr, 0);
  EXPECT_EQ(got.low, want.low64);
  EXPECT_EQ(got.high, want.high64);
}

TEST(Xxh3, AroundTheBlockAndStripeSizes) {
  auto data = random_bytes(5000, 2);
  for (size_t len : {1023u, 1024u, 1025u, 1087u, 1088u, 1089u, 2047u, 2048u, 2049u, 2100u, 3072u,
                     3073u, 4096u, 4999u, 5000u})
    expect_same(data, len);
}

TEST(Xxh3, OneKibAndOneMib) {
  auto data = random_bytes(1 << 20, 3);
  expect_same(data, 1024);
  expect_same(data, 1 << 20);
  std::vector<uint8_t> zeros(1 << 20, 0);
  expect_same(zeros, 1 << 20);
}

TEST(Xxh3, RandomLengthsAndContents) {
  std::mt19937 rng(4);
  for (int i = 0; i < 200; ++i) {
    size_t len = rng() % 70000;
    auto data = random_bytes(len, static_cast<uint32_t>(i) + 100);
    expect_same(data, len);
  }
}

TEST(Xxh3, StreamingEqualsOneShotForAnyPieceSize) {
  auto data = random_bytes(1 << 20, 5);
  for (size_t len : {0u, 1u, 16u, 17u, 240u, 241u, 300u, 1024u, 1025u, 1100u, 2048u, 2049u, 3000u,
                     65536u, 65537u})
    for (size_t piece : {1u, 3u, 63u, 64u, 65u, 512u, 1023u, 1024u, 1025u, 4096u, 70000u})
      expect_same_streamed(data, len, piece);
  for (size_t piece : {1000u, 1024u, 4096u, 65536u, 262144u})
    expect_same_streamed(data, 1 << 20, piece);
}

TEST(Xxh3, StreamingRandomPieces) {
  std::mt19937 rng(6);
  auto data = random_bytes(200000, 7);
  for (int round = 0; round < 50; ++round) {
    size_t len = rng() % data.size();
    xxh3::Hasher128 h;
    size_t at = 0;
    while (at < len) {
      size_t piece = 1 + rng() % 3000;
      if (piece > len - at)
        piece = len - at;
      h.update(data.data() + at, piece);
      at += piece;
      if (rng() % 4 == 0) { // digest() mid-stream leaves the state as it was
        xxh3::Hash128 part = h.digest();
        XXH128_hash_t want = XXH3_128bits(data.data(), at);
        ASSERT_EQ(part.low, want.low64);
        ASSERT_EQ(part.high, want.high64);
      }
    }
    XXH128_hash_t want = XXH3_128bits(data.data(), len);
    ASSERT_EQ(h.digest().low, want.low64) << len;
    ASSERT_EQ(h.digest().high, want.high64) << len;
  }
}

TEST(Xxh3, HexIsTheCanonicalBigEndianForm) {
  auto data = random_bytes(100, 8);
  XXH128_hash_t want = XXH3_128bits(data.data(), data.size());
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, want);
  char expected[33];
  for (int i = 0; i < 16; ++i)
    snprintf(expected + 2 * i, 3, "%02x", canon.digest[i]);
  char got[33];
  xxh3::to_hex(xxh3::hash128(data.data(), data.size()), got);
  EXPECT_STREQ(got, expected);
  xxh3::Hash128 back;
  ASSERT_TRUE(xxh3::from_hex(got, 32, &back));
  EXPECT_EQ(back, xxh3::hash128(data.data(), data.size()));
  EXPECT_FALSE(xxh3::from_hex(got, 31, &back));
  got[5] = 'g';
  EXPECT_FALSE(xxh3::from_hex(got, 32, &back));
}

} // namespace
