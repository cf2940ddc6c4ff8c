#include "unix/time/interval_timer.h"

#include <gtest/gtest.h>

namespace unix {
namespace {

TEST(IntervalTimer, OneShotExpiresOnceThenDisarms) {
  IntervalTimer t;
  EXPECT_FALSE(t.armed());
  EXPECT_EQ(t.expire(1000), 0u);
  t.arm(100, 0);
  EXPECT_EQ(t.remaining(40), 60u);
  EXPECT_EQ(t.expire(99), 0u);
  EXPECT_EQ(t.expire(100), 1u); // due exactly at the deadline
  EXPECT_FALSE(t.armed());
  EXPECT_EQ(t.expire(1000), 0u);
  EXPECT_EQ(t.remaining(1000), 0u);
}

TEST(IntervalTimer, PeriodicCountsMissedPeriods) {
  IntervalTimer t;
  t.arm(100, 50);
  EXPECT_EQ(t.expire(100), 1u);
  EXPECT_EQ(t.next_ns, 150u);
  EXPECT_EQ(t.expire(149), 0u);
  EXPECT_EQ(t.expire(260), 3u); // 150, 200, 250
  EXPECT_EQ(t.next_ns, 300u);
  EXPECT_EQ(t.remaining(260), 40u);
  EXPECT_TRUE(t.armed());
  t.disarm();
  EXPECT_FALSE(t.armed());
  EXPECT_EQ(t.interval_ns, 0u);
}

} // namespace
} // namespace unix
