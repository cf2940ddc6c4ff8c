#include "unix/memory/vm_map.h"

#include <cstdlib>
#include <gtest/gtest.h>
#include <memory>

namespace unix {
namespace {

constexpr uint64_t kPage = 4096;

Vma region(uint64_t start, uint64_t end, unsigned prot = 3, int32_t node = -1,
           uint64_t offset = 0) {
  Vma v;
  v.start = start;
  v.end = end;
  v.prot = prot;
  v.node = node;
  v.file_offset = offset;
  v.file_end = node >= 0 ? end : start;
  return v;
}

class VmMapTest : public ::testing::Test {
protected:
  std::unique_ptr<VmMap> map = std::make_unique<VmMap>(realloc);
};

TEST_F(VmMapTest, InsertKeepsOrderAndRejectsOverlap) {
  EXPECT_TRUE(map->insert(region(0x3000, 0x5000)));
  EXPECT_TRUE(map->insert(region(0x1000, 0x2000)));
  EXPECT_FALSE(map->insert(region(0x4000, 0x6000)));
  EXPECT_FALSE(map->insert(region(0x6000, 0x6000))); // empty
  ASSERT_EQ(map->size(), 2u);
  EXPECT_EQ(map->at(0).start, 0x1000u);
  EXPECT_EQ(map->at(1).start, 0x3000u);
  EXPECT_EQ(map->find(0x4FFF), &map->at(1));
  EXPECT_EQ(map->find(0x5000), nullptr);
  EXPECT_EQ(map->find(0x2000), nullptr);
  EXPECT_TRUE(map->is_free(0x2000, 0x3000));
  EXPECT_FALSE(map->is_free(0x2000, 0x3001));
}

TEST_F(VmMapTest, RemoveSplitsAndKeepsFileOffsets) {
  ASSERT_TRUE(map->insert(region(0x10000, 0x20000, 5, 7, 0x3000)));
  ASSERT_TRUE(map->remove(0x14000, 0x16000));
  ASSERT_EQ(map->size(), 2u);
  EXPECT_EQ(map->at(0).start, 0x10000u);
  EXPECT_EQ(map->at(0).end, 0x14000u);
  EXPECT_EQ(map->at(0).file_offset, 0x3000u);
  EXPECT_EQ(map->at(1).start, 0x16000u);
  EXPECT_EQ(map->at(1).end, 0x20000u);
  EXPECT_EQ(map->at(1).file_offset, 0x3000u + 0x6000u);
  // Removing across both pieces and a gap.
  ASSERT_TRUE(map->remove(0x12000, 0x18000));
  EXPECT_EQ(map->at(0).end, 0x12000u);
  EXPECT_EQ(map->at(1).start, 0x18000u);
  EXPECT_EQ(map->at(1).file_offset, 0x3000u + 0x8000u);
  ASSERT_TRUE(map->remove(0, 0x100000));
  EXPECT_EQ(map->size(), 0u);
}

TEST_F(VmMapTest, ProtectSplitsAndNeedsEveryPageMapped) {
  ASSERT_TRUE(map->insert(region(0x1000, 0x5000, 3)));
  EXPECT_TRUE(map->protect(0x2000, 0x3000, 1));
  ASSERT_EQ(map->size(), 3u);
  EXPECT_EQ(map->at(0).prot, 3u);
  EXPECT_EQ(map->at(1).prot, 1u);
  EXPECT_EQ(map->at(1).start, 0x2000u);
  EXPECT_EQ(map->at(1).end, 0x3000u);
  EXPECT_EQ(map->at(2).prot, 3u);
  // A hole in the range: nothing changes.
  ASSERT_TRUE(map->insert(region(0x6000, 0x7000, 3)));
  EXPECT_FALSE(map->protect(0x4000, 0x7000, 0));
  EXPECT_EQ(map->find(0x4000)->prot, 3u);
  EXPECT_EQ(map->find(0x6000)->prot, 3u);
}

TEST_F(VmMapTest, FindFreeWorksTopDown) {
  EXPECT_EQ(map->find_free(2 * kPage, 0x1000, 0x100000), 0x100000u - 2 * kPage);
  ASSERT_TRUE(map->insert(region(0xF0000, 0x100000)));
  EXPECT_EQ(map->find_free(2 * kPage, 0x1000, 0x100000), 0xF0000u - 2 * kPage);
  // A region straddling hi.
  ASSERT_TRUE(map->insert(region(0xE0000, 0xE8000)));
  EXPECT_EQ(map->find_free(0x8000, 0x1000, 0xE4000), 0xD8000u);
  // The gap between regions is used when it fits.
  EXPECT_EQ(map->find_free(0x8000, 0x1000, 0x100000), 0xE8000u);
  EXPECT_EQ(map->find_free(0x9000, 0x1000, 0x100000), 0xE0000u - 0x9000u);
  // Nothing fits.
  EXPECT_EQ(map->find_free(0x100000, 0x1000, 0x100000), 0u);
  EXPECT_EQ(map->find_free(0, 0x1000, 0x100000), 0u);
}

TEST_F(VmMapTest, GrowExtendsOnlyIntoFreeSpace) {
  ASSERT_TRUE(map->insert(region(0x1000, 0x2000)));
  ASSERT_TRUE(map->insert(region(0x4000, 0x5000)));
  EXPECT_TRUE(map->grow(0x2000, 0x3000));
  EXPECT_EQ(map->at(0).end, 0x3000u);
  EXPECT_FALSE(map->grow(0x3000, 0x5000)); // runs into the next region
  EXPECT_FALSE(map->grow(0x2000, 0x2800)); // no region ends there any more
}

TEST_F(VmMapTest, FullTableRefusesWithoutChanging) {
  ASSERT_EQ(map->limit(), VmMap::kMinVmas);
  for (size_t i = 0; i < map->limit(); ++i)
    ASSERT_TRUE(map->insert(region(0x1000 + i * 2 * kPage, 0x1000 + i * 2 * kPage + kPage)));
  EXPECT_FALSE(map->insert(region(0x100000000, 0x100001000)));
  // Splitting the first region in the middle is impossible: it has one page. Make a
  // wide one by removing two entries' worth, then try a split.
  EXPECT_TRUE(map->remove(0x1000, 0x1000 + kPage)); // frees one slot
  ASSERT_TRUE(map->insert(region(0x200000000, 0x200003000)));
  EXPECT_FALSE(map->remove(0x200001000, 0x200002000)); // would need a new slot
  EXPECT_NE(map->find(0x200001000), nullptr);
  EXPECT_FALSE(map->protect(0x200001000, 0x200002000, 1));
  EXPECT_EQ(map->find(0x200001000)->prot, 3u);
}

TEST_F(VmMapTest, TheLimitFollowsMemoryAndTheTableGrowsToIt) {
  EXPECT_EQ(VmMap::limit_for_memory(0), VmMap::kMinVmas);
  EXPECT_EQ(VmMap::limit_for_memory(16ull << 20), (16ull << 20) / 64 / sizeof(Vma));
  EXPECT_EQ(VmMap::limit_for_memory(64ull << 20), (64ull << 20) / 64 / sizeof(Vma));
  EXPECT_EQ(VmMap::limit_for_memory(1ull << 40), VmMap::kCeilingVmas);
  EXPECT_GE(VmMap::limit_for_memory(64ull << 20), 4 * 2000u); // 2000 threads' stacks and more
  map->set_limit(VmMap::limit_for_memory(64ull << 20));
  size_t n = map->limit();
  for (size_t i = 0; i < n; ++i)
    ASSERT_TRUE(map->insert(region(0x1000 + i * 2 * kPage, 0x1000 + i * 2 * kPage + kPage))) << i;
  EXPECT_EQ(map->size(), n);
  EXPECT_FALSE(map->insert(region(0x100000000, 0x100001000)));
  for (size_t i = 0; i < n; i += 997) // contents survived every reallocation
    EXPECT_EQ(map->at(i).start, 0x1000 + i * 2 * kPage);
  map->set_limit(10); // never below what is in use
  EXPECT_EQ(map->limit(), n);
}

TEST_F(VmMapTest, GrowDownAndNeighbours) {
  ASSERT_TRUE(map->insert(region(0x10000, 0x12000)));
  ASSERT_TRUE(map->insert(region(0x20000, 0x22000)));
  EXPECT_EQ(map->above(0x15000), &map->at(1));
  EXPECT_EQ(map->above(0x22000), nullptr);
  EXPECT_EQ(map->above(0x11000), nullptr); // inside a region
  EXPECT_EQ(map->below(0x15000), &map->at(0));
  EXPECT_EQ(map->below(0x12000), &map->at(0));
  EXPECT_EQ(map->below(0x11000), nullptr);
  EXPECT_FALSE(map->grow_down(0x20000, 0x11000)); // would overlap the lower region
  EXPECT_FALSE(map->grow_down(0x21000, 0x1F000)); // not a region start
  EXPECT_TRUE(map->grow_down(0x20000, 0x12000));
  EXPECT_EQ(map->at(1).start, 0x12000u);
  EXPECT_EQ(map->find(0x12000), &map->at(1));
}

TEST_F(VmMapTest, GrowDownKeepsFileOffsetsInTheFile) {
  ASSERT_TRUE(map->insert(region(0x20000, 0x22000, 5, 3, 0x2000)));
  EXPECT_FALSE(map->grow_down(0x20000, 0x1D000)); // would start 0x1000 before the file
  EXPECT_TRUE(map->grow_down(0x20000, 0x1E000));
  EXPECT_EQ(map->at(0).file_offset, 0u);
}

// A page fault that sleeps on the disk keeps a copy of its region and the generation; every
// change of the table must move the generation so it can tell its copy went stale.
TEST_F(VmMapTest, GenerationMovesWithEveryChange) {
  uint64_t g = map->generation();
  auto changed = [&] {
    uint64_t now = map->generation();
    bool moved = now != g;
    g = now;
    return moved;
  };
  ASSERT_TRUE(map->insert(region(0x10000, 0x20000)));
  EXPECT_TRUE(changed());
  ASSERT_TRUE(map->grow(0x20000, 0x21000));
  EXPECT_TRUE(changed());
  ASSERT_TRUE(map->grow_down(0x10000, 0xF000));
  EXPECT_TRUE(changed());
  ASSERT_TRUE(map->protect(0x12000, 0x13000, 1));
  EXPECT_TRUE(changed());
  ASSERT_TRUE(map->remove(0x14000, 0x15000));
  EXPECT_TRUE(changed());
  EXPECT_NE(map->find(0x12000), nullptr); // lookups change nothing
  EXPECT_FALSE(changed());
}

} // namespace
} // namespace unix
