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

ErrorOr<long> quarter(int x) {
  int h = TRY(half(x)); // an error from half returns here, as ErrorOr<long>
  return TRY(half(h)) + 0L;
}

Status even(int x) {
  if (x % 2)
    return Err(-EDOM);
  return status_ok();
}

int g_after_check = 0;
ErrorOr<int> checked_double(int x) {
  TRY(even(x)); // a Status: only its error matters
  ++g_after_check;
  return 2 * x;
}

TEST(Try, YieldsTheValueOrReturnsTheError) {
  auto ok = quarter(12);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);
  EXPECT_EQ(quarter(3).error(), -EINVAL); // first TRY fails
  EXPECT_EQ(quarter(6).error(), -EINVAL); // second TRY fails (6/2 = 3 is odd)
}

TEST(Try, WorksOnStatusAndStopsAtTheFirstError) {
  g_after_check = 0;
  EXPECT_EQ(checked_double(5).error(), -EDOM);
  EXPECT_EQ(g_after_check, 0);
  auto r = checked_double(4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 8);
  EXPECT_EQ(g_after_check, 1);
}

TEST(Strlcpy, TruncatesAndTerminates) {
  char buf[4];
  EXPECT_EQ(klib::strlcpy(buf, "hello", sizeof(buf)), 5u);
  EXPECT_STREQ(buf, "hel");
  EXPECT_EQ(klib::strlcpy(buf, "hi", sizeof(buf)), 2u);
  EXPECT_STREQ(buf, "hi");
}

} // namespace
