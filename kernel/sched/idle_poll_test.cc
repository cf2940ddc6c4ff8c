#include "sched/idle_poll.h"

#include <gtest/gtest.h>

namespace sched {
namespace {

uint64_t g_now = 0;
uint64_t ticking_clock() {
  return g_now += 1000;
}

// A device whose input arrives after `arrives_after` polls (never when negative).
struct FakeDevice {
  IdlePoller poller{};
  bool expecting = true;
  int arrives_after = -1;
  bool arrived_before_end = false;
  int polls = 0, begins = 0, ends = 0;
  bool interrupt_on = true;

  static FakeDevice* of(IdlePoller* p) { return reinterpret_cast<FakeDevice*>(p); }
  FakeDevice() {
    poller.begin = [](IdlePoller* p) {
      FakeDevice* d = of(p);
      ++d->begins;
      if (d->expecting)
        d->interrupt_on = false;
      return d->expecting;
    };
    poller.poll = [](IdlePoller* p) {
      FakeDevice* d = of(p);
      return d->arrives_after >= 0 && d->polls++ >= d->arrives_after;
    };
    poller.end = [](IdlePoller* p) {
      FakeDevice* d = of(p);
      ++d->ends;
      d->interrupt_on = true;
      return d->arrived_before_end;
    };
  }
};

TEST(IdlePoll, NoPollerMeansHaltAtOnce) {
  EXPECT_FALSE(poll_before_halt(~0ull, ticking_clock));
}

// (Registration is for the kernel's life, so each test's devices stay registered: the
// tests below keep the earlier ones idle, i.e. not expecting input.)
TEST(IdlePoll, FindsInputAndLeavesTheFinderDisarmed) {
  static FakeDevice quiet, busy;
  quiet.expecting = false;
  busy.arrives_after = 5;
  add_idle_poller(&quiet.poller);
  add_idle_poller(&busy.poller);
  g_now = 0;
  EXPECT_TRUE(poll_before_halt(1'000'000, ticking_clock));
  EXPECT_EQ(busy.polls, 6);
  EXPECT_FALSE(busy.interrupt_on); // its deferred work re-arms it
  EXPECT_EQ(busy.ends, 0);
  EXPECT_EQ(quiet.ends, 0); // never began, never polled
  EXPECT_TRUE(quiet.interrupt_on);
  busy.expecting = false;
}

TEST(IdlePoll, GivesUpAtTheDeadlineWithInterruptsBackOn) {
  static FakeDevice a, b;
  add_idle_poller(&a.poller);
  add_idle_poller(&b.poller);
  g_now = 0;
  EXPECT_FALSE(poll_before_halt(10'000, ticking_clock));
  EXPECT_GT(a.polls, 0);
  EXPECT_TRUE(a.interrupt_on);
  EXPECT_TRUE(b.interrupt_on);
  EXPECT_EQ(a.ends, 1);
  EXPECT_EQ(b.ends, 1);
  // Input that came between the last poll and re-arming still counts.
  b.arrived_before_end = true;
  EXPECT_TRUE(poll_before_halt(g_now + 5'000, ticking_clock));
  a.expecting = b.expecting = false;
}

TEST(IdlePoll, OthersAreReArmedWhenOneFindsInput) {
  static FakeDevice waiting, finder;
  finder.arrives_after = 0;
  add_idle_poller(&waiting.poller);
  add_idle_poller(&finder.poller);
  g_now = 0;
  EXPECT_TRUE(poll_before_halt(1'000'000, ticking_clock));
  EXPECT_TRUE(waiting.interrupt_on);
  EXPECT_EQ(waiting.ends, 1);
  EXPECT_FALSE(finder.interrupt_on);
}

} // namespace
} // namespace sched
