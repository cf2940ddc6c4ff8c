#include "mm/layout.h"
#include "mm/page_table.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(PageTableIndex, SplitsAddresses) {
  uint64_t va = 0x00007F1234567ABCull;
  EXPECT_EQ(pml4_index(va), (va >> 39) & 511);
  EXPECT_EQ(pml4_index(va), 254u);
  EXPECT_EQ(pdpt_index(va), 72u);
  EXPECT_EQ(pd_index(va), 418u);
  EXPECT_EQ(pt_index(va), 359u);
  for (int level = 1; level <= 4; ++level)
    EXPECT_EQ(table_index(va, level), (va >> (12 + 9 * (level - 1))) & 511);
}

TEST(PageTableIndex, KernelLayoutSlots) {
  EXPECT_EQ(pml4_index(kDirectMapBase), 256u);
  EXPECT_EQ(pml4_index(kMmioBase), 384u);
  EXPECT_EQ(pml4_index(kKernelBase), 511u);
  EXPECT_EQ(pdpt_index(kKernelBase), 510u);
  EXPECT_EQ(pd_index(kKernelBase + kKernelPhysLoad), 1u);
  EXPECT_EQ(pml4_index(kUserEnd - 1), 255u);
}

TEST(PageTableIndex, Canonical) {
  EXPECT_TRUE(is_canonical(0));
  EXPECT_TRUE(is_canonical(0x00007FFFFFFFFFFFull));
  EXPECT_FALSE(is_canonical(0x0000800000000000ull));
  EXPECT_FALSE(is_canonical(0xFFFF7FFFFFFFFFFFull));
  EXPECT_TRUE(is_canonical(0xFFFF800000000000ull));
  EXPECT_TRUE(is_canonical(kKernelBase));
}

TEST(Layout, Rounding) {
  EXPECT_EQ(page_round_down(0x1FFF), 0x1000u);
  EXPECT_EQ(page_round_up(0x1001), 0x2000u);
  EXPECT_EQ(page_round_up(0x2000), 0x2000u);
}

} // namespace
} // namespace mm
