#include "unix/fd/fd_bitmap.h"

#include <gtest/gtest.h>
#include <memory>
#include <random>
#include <vector>

namespace unix {
namespace {

TEST(FdBitmap, LowestFreeStartsAtFrom) {
  auto b = std::make_unique<FdBitmap>();
  EXPECT_EQ(b->lowest_free(0), 0);
  EXPECT_EQ(b->lowest_free(70), 70);
  b->set(0);
  b->set(1);
  EXPECT_EQ(b->lowest_free(0), 2);
  b->clear(0);
  EXPECT_EQ(b->lowest_free(0), 0);
  EXPECT_EQ(b->lowest_free(-5), 0);
  EXPECT_EQ(b->lowest_free(kFdCapacity), -1);
}

TEST(FdBitmap, FullWordsAreSkippedThroughTheSummary) {
  auto b = std::make_unique<FdBitmap>();
  for (int fd = 0; fd < 64 * 300 + 5; ++fd)
    b->set(fd);
  EXPECT_EQ(b->lowest_free(0), 64 * 300 + 5);
  EXPECT_EQ(b->lowest_free(64 * 100), 64 * 300 + 5);
  b->clear(64 * 200 + 7);
  EXPECT_EQ(b->lowest_free(0), 64 * 200 + 7);
  EXPECT_EQ(b->lowest_free(64 * 200 + 8), 64 * 300 + 5);
}

TEST(FdBitmap, AFullTableHasNoFreeDescriptor) {
  auto b = std::make_unique<FdBitmap>();
  for (int fd = 0; fd < kFdCapacity; ++fd)
    b->set(fd);
  EXPECT_EQ(b->lowest_free(0), -1);
  b->clear(kFdCapacity - 1);
  EXPECT_EQ(b->lowest_free(0), kFdCapacity - 1);
  EXPECT_EQ(b->next_used(kFdCapacity - 1), -1);
}

TEST(FdBitmap, NextUsedWalksInOrder) {
  auto b = std::make_unique<FdBitmap>();
  for (int fd : {3, 64, 65, 4000, 65535})
    b->set(fd);
  std::vector<int> seen;
  for (int fd = b->next_used(0); fd >= 0; fd = b->next_used(fd + 1))
    seen.push_back(fd);
  EXPECT_EQ(seen, (std::vector<int>{3, 64, 65, 4000, 65535}));
}

// Against a plain array: random sets and clears, every query agrees.
TEST(FdBitmap, AgreesWithALinearScan) {
  auto b = std::make_unique<FdBitmap>();
  std::vector<bool> model(kFdCapacity);
  std::mt19937 rng(7);
  for (int step = 0; step < 200000; ++step) {
    int fd = static_cast<int>(rng() % kFdCapacity);
    if (step < 150000 || rng() % 2) {
      b->set(fd);
      model[fd] = true;
    } else {
      b->clear(fd);
      model[fd] = false;
    }
    if (step % 1000 == 0) {
      int from = static_cast<int>(rng() % kFdCapacity);
      int want = -1;
      for (int i = from; i < kFdCapacity; ++i)
        if (!model[i]) {
          want = i;
          break;
        }
      ASSERT_EQ(b->lowest_free(from), want) << "from " << from;
    }
  }
}

} // namespace
} // namespace unix
