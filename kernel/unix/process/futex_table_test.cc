#include "unix/process/futex_table.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using unix::FutexTable;
using unix::FutexWaiter;

FutexWaiter waiter(uint64_t addr, uint32_t bitset = ~0u) {
  FutexWaiter w;
  w.addr = addr;
  w.bitset = bitset;
  return w;
}

TEST(FutexTable, WakesOldestFirstOnlyOnItsAddress) {
  FutexTable t;
  FutexWaiter a = waiter(0x1000), b = waiter(0x1000), c = waiter(0x2000), d = waiter(0x1000);
  t.enqueue(&a);
  t.enqueue(&c);
  t.enqueue(&b);
  t.enqueue(&d);
  std::vector<FutexWaiter*> woken;
  auto rec = [&](FutexWaiter* w) { woken.push_back(w); };
  EXPECT_EQ(t.wake(0x1000, 2, ~0u, rec), 2);
  ASSERT_EQ(woken.size(), 2u);
  EXPECT_EQ(woken[0], &a);
  EXPECT_EQ(woken[1], &b);
  EXPECT_TRUE(a.woken && b.woken && !c.woken && !d.woken);
  EXPECT_EQ(t.waiters(0x1000), 1u);
  EXPECT_EQ(t.waiters(0x2000), 1u);
  EXPECT_EQ(t.wake(0x3000, 10, ~0u, rec), 0);
  EXPECT_EQ(t.wake(0x1000, 10, ~0u, rec), 1);
  EXPECT_EQ(woken.back(), &d);
}

TEST(FutexTable, AddressesInOneBucketStayApart) {
  FutexTable t;
  // Find two addresses that hash to the same bucket.
  uint64_t a1 = 0x4000, a2 = a1 + 4;
  while (FutexTable::bucket(a2) != FutexTable::bucket(a1))
    a2 += 4;
  FutexWaiter x = waiter(a1), y = waiter(a2);
  t.enqueue(&x);
  t.enqueue(&y);
  int n = t.wake(a2, 5, ~0u, [](FutexWaiter*) {});
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(y.woken);
  EXPECT_FALSE(x.woken);
}

TEST(FutexTable, BitsetSelectsWaiters) {
  FutexTable t;
  FutexWaiter a = waiter(0x10, 0x1), b = waiter(0x10, 0x2), c = waiter(0x10, 0x3);
  t.enqueue(&a);
  t.enqueue(&b);
  t.enqueue(&c);
  EXPECT_EQ(t.wake(0x10, 10, 0x2, [](FutexWaiter*) {}), 2);
  EXPECT_FALSE(a.woken);
  EXPECT_TRUE(b.woken && c.woken);
}

TEST(FutexTable, RequeueWakesThenMovesBehindExistingWaiters) {
  FutexTable t;
  FutexWaiter a = waiter(0x100), b = waiter(0x100), c = waiter(0x100), d = waiter(0x100);
  FutexWaiter m = waiter(0x200);
  t.enqueue(&m);
  t.enqueue(&a);
  t.enqueue(&b);
  t.enqueue(&c);
  t.enqueue(&d);
  EXPECT_EQ(t.requeue(0x100, 0x200, 1, 2, [](FutexWaiter*) {}), 3);
  EXPECT_TRUE(a.woken);
  EXPECT_EQ(b.addr, 0x200u);
  EXPECT_EQ(c.addr, 0x200u);
  EXPECT_EQ(d.addr, 0x100u); // beyond n_move: stays
  std::vector<FutexWaiter*> order;
  t.wake(0x200, 10, ~0u, [&](FutexWaiter* w) { order.push_back(w); });
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0], &m);
  EXPECT_EQ(order[1], &b);
  EXPECT_EQ(order[2], &c);
  EXPECT_EQ(t.waiters(0x100), 1u);
}

TEST(FutexTable, RemoveTimedOutWaiter) {
  FutexTable t;
  FutexWaiter a = waiter(0x40), b = waiter(0x40);
  t.enqueue(&a);
  t.enqueue(&b);
  EXPECT_TRUE(t.remove(&a));
  EXPECT_FALSE(t.remove(&a));
  EXPECT_EQ(t.wake(0x40, 10, ~0u, [](FutexWaiter*) {}), 1);
  EXPECT_TRUE(b.woken);
  EXPECT_FALSE(a.woken);
}

} // namespace
