#include "lib/format.h"

#include <gtest/gtest.h>
#include <string>

namespace {

// No format attribute on purpose: some cases below are deliberately malformed.
std::string fmt(const char* f, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, f);
  size_t n = klib::vformat(buf, sizeof(buf), f, ap);
  va_end(ap);
  EXPECT_EQ(n, std::string(buf).size());
  return buf;
}

TEST(Format, Integers) {
  EXPECT_EQ(fmt("%d %i %u", -42, 7, 3000000000u), "-42 7 3000000000");
  EXPECT_EQ(fmt("%ld %lu", -9223372036854775807L - 1, 18446744073709551615UL),
            "-9223372036854775808 18446744073709551615");
  EXPECT_EQ(fmt("%x %X %#x %#lx %o", 255u, 255u, 255u, 0x1234UL, 8u), "ff FF 0xff 0x1234 10");
  EXPECT_EQ(fmt("%#x", 0u), "0");
  EXPECT_EQ(fmt("%zu %hhu %hd", static_cast<size_t>(12), 300, 70000), "12 44 4464");
}

TEST(Format, WidthAndFlags) {
  EXPECT_EQ(fmt("[%5d][%-5d][%05d]", 42, 42, -42), "[   42][42   ][-0042]");
  EXPECT_EQ(fmt("[%016lx]", 0xABCUL), "[0000000000000abc]");
  EXPECT_EQ(fmt("[%*d]", 4, 1), "[   1]");
  EXPECT_EQ(fmt("[%02x:%02x.%x]", 0, 3, 1), "[00:03.1]");
}

TEST(Format, StringsCharsPointers) {
  EXPECT_EQ(fmt("%s|%5s|%-5s|%.2s", "abc", "ab", "ab", "abcdef"), "abc|   ab|ab   |ab");
  EXPECT_EQ(fmt("%s", static_cast<const char*>(nullptr)), "(null)");
  EXPECT_EQ(fmt("%c%c%%", 'o', 'k'), "ok%");
  EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(0x1000)), "0x1000");
}

TEST(Format, TruncatesAndReportsFullLength) {
  char buf[8];
  EXPECT_EQ(klib::format(buf, sizeof(buf), "hello %s", "world"), 11u);
  EXPECT_STREQ(buf, "hello w");
  EXPECT_EQ(klib::format(nullptr, 0, "%d", 12345), 5u);
}

TEST(Format, UnknownConversionIsPrintedVerbatim) {
  EXPECT_EQ(fmt("a%qb"), "a%qb");
  EXPECT_EQ(fmt("end%"), "end%");
}

} // namespace
