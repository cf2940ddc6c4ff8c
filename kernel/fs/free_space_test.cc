#include "fs/free_space.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <vector>

namespace {

// A FreeSpace keeps its range table for the kernel's lifetime (it has no destructor: the
// kernel's map is a global, and freestanding code has no static destructors), so the tests
// allocate tables through this tracker and give them all back after the tests.
std::vector<void*>& live_tables() {
  static std::vector<void*> tables;
  return tables;
}
void* tracked_realloc(void* p, size_t size) {
  void* q = realloc(p, size);
  if (q) {
    auto& v = live_tables();
    v.erase(std::remove(v.begin(), v.end(), p), v.end());
    v.push_back(q);
  }
  return q;
}
struct FreeTables : ::testing::Environment {
  void TearDown() override {
    for (void* p : live_tables())
      free(p);
    live_tables().clear();
  }
};
[[maybe_unused]] ::testing::Environment* const g_free_tables =
    ::testing::AddGlobalTestEnvironment(new FreeTables);

fs::FreeSpace make(uint64_t total) {
  fs::FreeSpace s(tracked_realloc);
  EXPECT_TRUE(s.init(total));
  return s;
}

TEST(FreeSpace, ReserveSplitsAndCounts) {
  fs::FreeSpace s = make(10000);
  EXPECT_TRUE(s.reserve(0, 1));
  EXPECT_TRUE(s.reserve(1, 1024));
  EXPECT_TRUE(s.reserve(3000, 10));
  EXPECT_EQ(s.free_blocks(), 10000u - 1 - 1024 - 10);
  EXPECT_EQ(s.range_count(), 2u); // [1025,3000) and [3010,10000)
  EXPECT_FALSE(s.reserve(3005, 10)); // half of it was already used
  EXPECT_EQ(s.free_blocks(), 10000u - 1 - 1024 - 10 - 5);
}

TEST(FreeSpace, AllocateFirstFitThenLargest) {
  fs::FreeSpace s = make(1000);
  ASSERT_TRUE(s.reserve(100, 800)); // free: [0,100) [900,1000)
  uint64_t start = 0, got = 0;
  ASSERT_TRUE(s.allocate(50, 0, &start, &got));
  EXPECT_EQ(start, 0u);
  EXPECT_EQ(got, 50u);
  // 120 fits nowhere: the largest range (100 blocks at 900) is handed out whole.
  ASSERT_TRUE(s.allocate(120, 0, &start, &got));
  EXPECT_EQ(start, 900u);
  EXPECT_EQ(got, 100u);
  EXPECT_EQ(s.free_blocks(), 50u);
  ASSERT_TRUE(s.allocate(500, 0, &start, &got));
  EXPECT_EQ(start, 50u);
  EXPECT_EQ(got, 50u);
  EXPECT_FALSE(s.allocate(1, 0, &start, &got)); // full
  EXPECT_EQ(s.free_blocks(), 0u);
}

TEST(FreeSpace, HintPrefersTheRangeBehindAnExtent) {
  fs::FreeSpace s = make(1000);
  ASSERT_TRUE(s.reserve(200, 10)); // free: [0,200) [210,1000)
  uint64_t start = 0, got = 0;
  ASSERT_TRUE(s.allocate(8, 210, &start, &got));
  EXPECT_EQ(start, 210u);
  EXPECT_EQ(got, 8u);
}

TEST(FreeSpace, ExactAndReleaseMerge) {
  fs::FreeSpace s = make(4096);
  ASSERT_TRUE(s.reserve(0, 1));
  uint64_t a = 0, b = 0, c = 0;
  ASSERT_TRUE(s.allocate_exact(1024, &a));
  ASSERT_TRUE(s.allocate_exact(1024, &b));
  ASSERT_TRUE(s.allocate_exact(1024, &c));
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, 1025u);
  EXPECT_EQ(c, 2049u);
  EXPECT_FALSE(s.allocate_exact(1024, &a)); // 1023 left
  EXPECT_TRUE(s.release(1025, 1024));        // a hole between two used runs
  EXPECT_EQ(s.range_count(), 2u);
  EXPECT_TRUE(s.release(1, 1024));           // joins the hole
  EXPECT_EQ(s.range_count(), 2u);
  EXPECT_TRUE(s.release(2049, 1024));        // joins both neighbours
  EXPECT_EQ(s.range_count(), 1u);
  EXPECT_EQ(s.free_blocks(), 4095u);
  ASSERT_TRUE(s.allocate_exact(4095, &a));
  EXPECT_EQ(a, 1u);
}

TEST(FreeSpace, ManyFragments) {
  fs::FreeSpace s = make(20000);
  for (uint64_t b = 0; b < 20000; b += 2)
    ASSERT_TRUE(s.reserve(b, 1));
  EXPECT_EQ(s.free_blocks(), 10000u);
  EXPECT_EQ(s.range_count(), 10000u);
  for (uint64_t b = 0; b < 20000; b += 2)
    ASSERT_TRUE(s.release(b, 1));
  EXPECT_EQ(s.range_count(), 1u);
  EXPECT_EQ(s.free_blocks(), 20000u);
}

} // namespace
