#include "sched/deferred.h"

#include <gtest/gtest.h>
#include <vector>

namespace {

struct Recorded {
  sched::Work work{};
  int id = 0;
  int runs = 0;
  bool requeue_once = false;
};

std::vector<int> g_order;

void record(sched::Work* w) {
  auto* r = reinterpret_cast<Recorded*>(w); // work is the first member
  g_order.push_back(r->id);
  ++r->runs;
  if (r->requeue_once) {
    r->requeue_once = false;
    sched::defer(w); // runs again within the same run_deferred call
  }
}

Recorded make(int id) {
  Recorded r;
  r.work.run = record;
  r.id = id;
  return r;
}

TEST(Deferred, NothingQueuedRunsNothing) {
  g_order.clear();
  EXPECT_FALSE(sched::deferred_pending());
  EXPECT_FALSE(sched::run_deferred());
  EXPECT_TRUE(g_order.empty());
}

TEST(Deferred, RunsInQueueOrderAndEmpties) {
  g_order.clear();
  Recorded a = make(1), b = make(2), c = make(3);
  sched::defer(&b.work);
  sched::defer(&a.work);
  sched::defer(&c.work);
  EXPECT_TRUE(sched::deferred_pending());
  EXPECT_TRUE(sched::run_deferred());
  EXPECT_EQ(g_order, (std::vector<int>{2, 1, 3}));
  EXPECT_FALSE(sched::deferred_pending());
  EXPECT_FALSE(a.work.queued);
}

TEST(Deferred, DeferringTwiceBeforeItRunsRunsOnce) {
  g_order.clear();
  Recorded a = make(7);
  sched::defer(&a.work);
  sched::defer(&a.work);
  sched::run_deferred();
  EXPECT_EQ(a.runs, 1);
}

TEST(Deferred, ItemMayRequeueItselfWhileRunning) {
  g_order.clear();
  Recorded a = make(4), b = make(5);
  a.requeue_once = true;
  sched::defer(&a.work);
  sched::defer(&b.work);
  sched::run_deferred();
  EXPECT_EQ(g_order, (std::vector<int>{4, 5, 4}));
  EXPECT_FALSE(sched::deferred_pending());
}

} // namespace
