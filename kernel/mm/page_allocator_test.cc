#include "mm/page_allocator.h"

#include <gtest/gtest.h>
#include <set>
#include <vector>

namespace mm {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

class PageAllocatorTest : public ::testing::Test {
protected:
  void init(std::initializer_list<PhysRange> ram, std::initializer_list<PhysRange> reserved = {}) {
    map_ = MemoryMap{};
    for (const PhysRange& r : ram)
      ASSERT_TRUE(map_.add_ram(r.base, r.length));
    for (const PhysRange& r : reserved)
      ASSERT_TRUE(map_.add_reserved(r.base, r.length));
    map_.finalize();
    bitmap_.assign(PageAllocator::bitmap_bytes(map_.highest_ram_end()) / 8, ~0ull);
    alloc_.init(bitmap_.data(), map_);
  }
  MemoryMap map_;
  std::vector<uint64_t> bitmap_;
  PageAllocator alloc_;
};

TEST_F(PageAllocatorTest, CountsOnlyRamPages) {
  init({{1 * kMiB, 3 * kMiB}, {8 * kMiB, 1 * kMiB}}, {{2 * kMiB, 4096}});
  EXPECT_EQ(alloc_.total_pages(), (4 * kMiB) / 4096 - 1);
  EXPECT_EQ(alloc_.free_pages(), alloc_.total_pages());
  EXPECT_FALSE(alloc_.is_free(2 * kMiB));
  EXPECT_TRUE(alloc_.is_free(2 * kMiB + 4096));
  EXPECT_FALSE(alloc_.is_free(5 * kMiB));
}

TEST_F(PageAllocatorTest, SinglePagesAreDistinctAndInsideRam) {
  init({{1 * kMiB, 64 * 4096}});
  std::set<uint64_t> seen;
  for (int i = 0; i < 64; ++i) {
    uint64_t p = alloc_.alloc();
    ASSERT_NE(p, 0u);
    EXPECT_EQ(p % 4096, 0u);
    EXPECT_GE(p, 1 * kMiB);
    EXPECT_LT(p, 1 * kMiB + 64 * 4096);
    EXPECT_TRUE(seen.insert(p).second);
  }
  EXPECT_EQ(alloc_.alloc(), 0u) << "out of memory must return 0";
  EXPECT_EQ(alloc_.free_pages(), 0u);
  alloc_.free(*seen.begin());
  EXPECT_EQ(alloc_.free_pages(), 1u);
  EXPECT_EQ(alloc_.alloc(), *seen.begin());
}

TEST_F(PageAllocatorTest, NeverHandsOutPageZero) {
  init({{0, 16 * 4096}});
  EXPECT_EQ(alloc_.total_pages(), 15u);
  for (int i = 0; i < 15; ++i)
    EXPECT_NE(alloc_.alloc(), 0u);
  EXPECT_EQ(alloc_.alloc(), 0u);
}

TEST_F(PageAllocatorTest, ContiguousRunSkipsHoles) {
  init({{1 * kMiB, 1 * kMiB}});
  // Punch a hole every 4 pages in the first 64 pages.
  for (uint64_t p = 1 * kMiB + 3 * 4096; p < 1 * kMiB + 64 * 4096; p += 4 * 4096)
    alloc_.reserve(p, 4096);
  uint64_t run = alloc_.alloc(8);
  ASSERT_NE(run, 0u);
  EXPECT_GE(run, 1 * kMiB + 64 * 4096);
  for (int i = 0; i < 8; ++i)
    EXPECT_FALSE(alloc_.is_free(run + i * 4096));
  alloc_.free(run, 8);
  for (int i = 0; i < 8; ++i)
    EXPECT_TRUE(alloc_.is_free(run + i * 4096));
}

TEST_F(PageAllocatorTest, AlignmentAndUpperBound) {
  init({{1 * kMiB + 4096, 16 * kMiB}});
  uint64_t a = alloc_.alloc(4, 512); // 2 MiB aligned
  ASSERT_NE(a, 0u);
  EXPECT_EQ(a % (2 * kMiB), 0u);
  uint64_t b = alloc_.alloc(1, 1, 2 * kMiB);
  ASSERT_NE(b, 0u);
  EXPECT_LT(b, 2 * kMiB);
  EXPECT_EQ(alloc_.alloc(1, 3), 0u) << "non-power-of-two alignment is rejected";
  EXPECT_EQ(alloc_.alloc(0), 0u);
}

// Runs are measured a word at a time: a run that crosses 64-page words, free pages left
// between used ones, and the hint (which moves past each allocation) must all hold.
TEST_F(PageAllocatorTest, RunsAcrossWordsInAFragmentedBitmap) {
  init({{0, 512 * 4096}});
  std::vector<uint64_t> singles;
  for (int i = 0; i < 200; ++i)
    singles.push_back(alloc_.alloc(1));
  // Free every third page of the first 200: no run of 2 there any more.
  for (size_t i = 0; i < singles.size(); i += 3)
    alloc_.free(singles[i]);
  // Free a run of 70 pages crossing a word boundary: pages 100..169 (page 0 is never
  // handed out, so singles[i] is page i + 1).
  for (size_t i = 99; i < 169; ++i)
    if (i % 3 != 0)
      alloc_.free(singles[i]);
  size_t before = alloc_.free_pages();
  uint64_t run = alloc_.alloc(70);
  ASSERT_EQ(run, 100 * 4096u);
  for (uint64_t p = run; p < run + 70 * 4096; p += 4096)
    EXPECT_FALSE(alloc_.is_free(p));
  EXPECT_EQ(alloc_.free_pages(), before - 70);
  // Freeing the run (a word at a time) gives back exactly 70 pages, and again nothing.
  alloc_.free(run, 70);
  EXPECT_EQ(alloc_.free_pages(), before);
  alloc_.free(run, 70);
  EXPECT_EQ(alloc_.free_pages(), before);
  ASSERT_EQ(alloc_.alloc(70), run);
  // A run of 2 cannot come from the every-third holes: it comes after page 200.
  uint64_t two = alloc_.alloc(2);
  EXPECT_GE(two, 201 * 4096u);
  // Single pages still find the holes (from the start once the hint's pass fails).
  EXPECT_NE(alloc_.alloc(1), 0u);
}

TEST_F(PageAllocatorTest, DoubleFreeIsIgnored) {
  init({{1 * kMiB, 8 * 4096}});
  uint64_t p = alloc_.alloc();
  alloc_.free(p);
  size_t free_now = alloc_.free_pages();
  alloc_.free(p);
  EXPECT_EQ(alloc_.free_pages(), free_now);
}

TEST_F(PageAllocatorTest, BitmapSize) {
  EXPECT_EQ(PageAllocator::bitmap_bytes(0), 0u);
  EXPECT_EQ(PageAllocator::bitmap_bytes(4096), 8u);
  EXPECT_EQ(PageAllocator::bitmap_bytes(64 * 4096), 8u);
  EXPECT_EQ(PageAllocator::bitmap_bytes(65 * 4096), 16u);
  EXPECT_EQ(PageAllocator::bitmap_bytes(4ull << 30), 128u * 1024);
}

} // namespace
} // namespace mm
