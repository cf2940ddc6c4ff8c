#include "net/arp_cache.h"
#include "net/test_support.h"

#include <gtest/gtest.h>
#include <vector>

namespace net {
namespace {
using test::ip;
using test::mac;

PacketPtr tagged(uint8_t tag) {
  PacketPtr p = PacketPtr::allocate(0, 1);
  p->put(1)[0] = tag;
  return p;
}

struct Requests {
  std::vector<Ipv4Address> sent;
  static void record(void* ctx, Ipv4Address a) { static_cast<Requests*>(ctx)->sent.push_back(a); }
};

constexpr uint64_t kSecond = kNsPerSecond;

TEST(ArpCache, PendingPacketsWaitForTheReply) {
  ArpCache cache;
  MacAddress m;
  uint64_t t = 10 * kSecond;
  EXPECT_FALSE(cache.lookup(ip(10, 0, 0, 2), t, &m));
  EXPECT_TRUE(cache.enqueue(ip(10, 0, 0, 2), tagged(1), t));  // first: send a request
  EXPECT_FALSE(cache.enqueue(ip(10, 0, 0, 2), tagged(2), t)); // already being resolved
  EXPECT_EQ(cache.pending(ip(10, 0, 0, 2)), 2u);
  PacketQueue ready = cache.learn(ip(10, 0, 0, 2), mac(2), t + 1000, false);
  ASSERT_EQ(ready.count(), 2u);
  EXPECT_EQ(ready.pop_front()->data()[0], 1); // in the order they were sent
  EXPECT_EQ(ready.pop_front()->data()[0], 2);
  ASSERT_TRUE(cache.lookup(ip(10, 0, 0, 2), t + 2000, &m));
  EXPECT_EQ(m, mac(2));
}

TEST(ArpCache, PendingQueueKeepsTheNewest) {
  ArpCache cache;
  for (size_t i = 0; i < ArpCache::kMaxPending + 6; ++i)
    (void)cache.enqueue(ip(10, 0, 0, 9), tagged(uint8_t(i)), 0);
  EXPECT_EQ(cache.pending(ip(10, 0, 0, 9)), ArpCache::kMaxPending);
  PacketQueue ready = cache.learn(ip(10, 0, 0, 9), mac(9), 1, false);
  EXPECT_EQ(ready.front()->data()[0], 6);
}

TEST(ArpCache, PendingQueueIsBoundedInBytes) {
  ArpCache cache;
  for (int i = 0; i < 4; ++i) {
    PacketPtr big = PacketPtr::allocate(0, 30000);
    big->put(30000)[0] = uint8_t(i);
    (void)cache.enqueue(ip(10, 0, 0, 9), big.take(), 0);
  }
  EXPECT_EQ(cache.pending(ip(10, 0, 0, 9)), 2u); // 60000 bytes fit, 90000 would not
  PacketQueue ready = cache.learn(ip(10, 0, 0, 9), mac(9), 1, false);
  EXPECT_EQ(ready.front()->data()[0], 2);
}

TEST(ArpCache, RetriesThenGivesUpAndDropsPackets) {
  ArpCache cache;
  Requests r;
  uint64_t t = 0;
  EXPECT_TRUE(cache.enqueue(ip(10, 0, 0, 3), tagged(1), t));
  cache.expire(t + kSecond / 2, Requests::record, &r);
  EXPECT_TRUE(r.sent.empty()); // not due yet
  cache.expire(t + kSecond, Requests::record, &r);
  cache.expire(t + 2 * kSecond, Requests::record, &r);
  EXPECT_EQ(r.sent.size(), size_t(ArpCache::kMaxRequests - 1)); // the first went at enqueue
  EXPECT_EQ(cache.pending(ip(10, 0, 0, 3)), 1u);
  cache.expire(t + 3 * kSecond, Requests::record, &r);
  EXPECT_EQ(cache.size(), 0u); // gave up; the packet was freed (ASan checks)
  EXPECT_EQ(cache.pending(ip(10, 0, 0, 3)), 0u);
  // A later send starts over with a new request.
  EXPECT_TRUE(cache.enqueue(ip(10, 0, 0, 3), tagged(2), t + 4 * kSecond));
}

TEST(ArpCache, MappingsExpire) {
  ArpCache cache;
  Requests r;
  (void)cache.learn(ip(10, 0, 0, 4), mac(4), 0, true);
  MacAddress m;
  EXPECT_TRUE(cache.lookup(ip(10, 0, 0, 4), ArpCache::kReachableTime - 1, &m));
  EXPECT_FALSE(cache.lookup(ip(10, 0, 0, 4), ArpCache::kReachableTime, &m));
  cache.expire(ArpCache::kReachableTime, Requests::record, &r);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(r.sent.empty());
}

TEST(ArpCache, MergeOnlyUpdatesUnlessAddressedToUs) {
  ArpCache cache;
  MacAddress m;
  (void)cache.learn(ip(10, 0, 0, 5), mac(5), 0, false); // overheard: not added
  EXPECT_FALSE(cache.lookup(ip(10, 0, 0, 5), 1, &m));
  (void)cache.learn(ip(10, 0, 0, 5), mac(5), 0, true);
  (void)cache.learn(ip(10, 0, 0, 5), mac(6), 1, false); // the station moved: updated
  ASSERT_TRUE(cache.lookup(ip(10, 0, 0, 5), 2, &m));
  EXPECT_EQ(m, mac(6));
}

TEST(ArpCache, FullTableEvictsLeastRecentlyUsedMapping) {
  ArpCache cache;
  for (uint8_t i = 0; i < ArpCache::kEntries; ++i)
    (void)cache.learn(ip(10, 1, 0, i), mac(i), i, true);
  MacAddress m;
  EXPECT_TRUE(cache.lookup(ip(10, 1, 0, 0), 100, &m)); // entry 0 used recently
  (void)cache.learn(ip(10, 2, 0, 1), mac(200), 101, true);
  EXPECT_EQ(cache.size(), ArpCache::kEntries);
  EXPECT_TRUE(cache.lookup(ip(10, 1, 0, 0), 102, &m));
  EXPECT_FALSE(cache.lookup(ip(10, 1, 0, 1), 102, &m)); // the least recently used went
  EXPECT_TRUE(cache.lookup(ip(10, 2, 0, 1), 102, &m));
}

} // namespace
} // namespace net
