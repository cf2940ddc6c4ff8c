#include "lib/error_or.h"
#include "lib/string.h"

#include <gtest/gtest.h>

namespace {

ErrorOr<int> half(int x) {
  if (x % 2)
    return Err(-EINVAL);
  return x / 2;
}

TEST(ErrorOr, ValueOrNegativeErrno) {
  auto ok = half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 4);
  EXPECT_EQ(ok.error(), 0);
  auto bad = half(3);
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error(), -EINVAL);
}

TEST(ErrorOr, PositiveErrnoIsStoredNegative) {
  EXPECT_EQ(ErrorOr<int>::failure(EFAULT).error(), -14);
  EXPECT_EQ(ErrorOr<int>::failure(0).error(), -EINVAL);
}

TEST(ErrorOr, StatusHelpers) {
  Status s = status_ok();
  EXPECT_TRUE(s.ok());
  Status e = Err(-ENOMEM);
  EXPECT_EQ(e.error(), -12);
}

TEST(Strlcpy, TruncatesAndTerminates) {
  char buf[4];
  EXPECT_EQ(klib::strlcpy(buf, "hello", sizeof(buf)), 5u);
  EXPECT_STREQ(buf, "hel");
  EXPECT_EQ(klib::strlcpy(buf, "hi", sizeof(buf)), 2u);
  EXPECT_STREQ(buf, "hi");
}

} // namespace
