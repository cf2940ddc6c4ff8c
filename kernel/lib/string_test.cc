#include "lib/string.h"

#include <gtest/gtest.h>

#include <cstring>

namespace {

int sign(int v) {
  return (v > 0) - (v < 0);
}

TEST(CompareBytes, AgreesWithTheLibraryAtEveryLengthAndDifferencePosition) {
  // Lengths across the word boundary, a difference at every position (or none), both
  // orders, and bytes above 0x7F (compared unsigned, as memcmp does).
  unsigned char a[40], b[40];
  for (size_t n = 0; n <= 33; ++n) {
    for (size_t at = 0; at <= n; ++at) {
      for (unsigned char d : {1, 0x80}) {
        for (size_t i = 0; i < sizeof a; ++i)
          a[i] = b[i] = static_cast<unsigned char>(0x41 + i * 7);
        if (at < n)
          b[at] = static_cast<unsigned char>(a[at] + d);
        EXPECT_EQ(klib::compare_bytes(a, b, n), sign(std::memcmp(a, b, n)))
            << "n " << n << " at " << at;
        EXPECT_EQ(klib::compare_bytes(b, a, n), sign(std::memcmp(b, a, n)))
            << "n " << n << " at " << at;
      }
    }
  }
}

TEST(CompareBytes, UnalignedStartsAndDifferencesPastTheRangeDoNotCount) {
  char buf[64];
  for (size_t i = 0; i < sizeof buf; ++i)
    buf[i] = static_cast<char>('a' + i % 26);
  char other[64];
  std::memcpy(other, buf, sizeof other);
  other[20] = '!';
  for (size_t off = 0; off < 8; ++off) {
    EXPECT_EQ(klib::compare_bytes(buf + off, other + off, 20 - off), 0) << off;
    EXPECT_NE(klib::compare_bytes(buf + off, other + off, 21 - off), 0) << off;
  }
}

} // namespace
