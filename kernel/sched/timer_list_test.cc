#include "sched/timer_list.h"

#include <gtest/gtest.h>

namespace {

void no_op(sched::Timer*) {}

TEST(TimerList, PopsInDeadlineOrderStableForEqualDeadlines) {
  sched::TimerList list;
  sched::Timer a, b, c, d;
  a.fire = b.fire = c.fire = d.fire = no_op;
  list.insert(&a, 300);
  list.insert(&b, 100);
  list.insert(&c, 300); // same deadline as a: after it
  list.insert(&d, 200);
  EXPECT_EQ(list.next_deadline(), 100u);
  EXPECT_EQ(list.pop_expired(99), nullptr);
  EXPECT_EQ(list.pop_expired(100), &b);
  EXPECT_FALSE(b.armed);
  EXPECT_EQ(list.pop_expired(1000), &d);
  EXPECT_EQ(list.pop_expired(1000), &a);
  EXPECT_EQ(list.pop_expired(1000), &c);
  EXPECT_EQ(list.pop_expired(1000), nullptr);
  EXPECT_EQ(list.next_deadline(), sched::kNoDeadline);
}

// The deadlock report looks past housekeeping timers (a watchdog, the network tick).
TEST(TimerList, NextWakingDeadlineSkipsHousekeepingTimers) {
  sched::TimerList list;
  sched::Timer watchdog, tick, wakeup;
  watchdog.housekeeping = tick.housekeeping = true;
  list.insert(&watchdog, 10);
  list.insert(&tick, 20);
  EXPECT_EQ(list.next_deadline(), 10u);
  EXPECT_EQ(list.next_waking_deadline(), sched::kNoDeadline);
  list.insert(&wakeup, 30);
  EXPECT_EQ(list.next_waking_deadline(), 30u);
  list.remove(&wakeup);
  EXPECT_EQ(list.next_waking_deadline(), sched::kNoDeadline);
}

TEST(TimerList, RemoveAndRearm) {
  sched::TimerList list;
  sched::Timer a, b;
  list.insert(&a, 100);
  list.insert(&b, 200);
  list.remove(&a);
  EXPECT_FALSE(a.armed);
  list.remove(&a); // disarmed: no effect
  EXPECT_EQ(list.next_deadline(), 200u);
  list.remove(&b);
  list.insert(&b, 50); // re-armed earlier
  list.insert(&a, 60);
  EXPECT_EQ(list.pop_expired(55), &b);
  EXPECT_EQ(list.pop_expired(55), nullptr);
  EXPECT_EQ(list.next_deadline(), 60u);
  EXPECT_TRUE(a.armed);
}

} // namespace
