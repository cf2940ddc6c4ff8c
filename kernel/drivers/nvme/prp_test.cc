#include "drivers/nvme/prp.h"

#include <gtest/gtest.h>
#include <vector>

namespace nvme {
namespace {

constexpr uint64_t kList = 0x9000'0000;

TEST(NvmePrp, OnePageNeedsOnlyPrp1) {
  uint64_t list[kPrpListEntries] = {};
  auto p = build_prps(0x10000, 4096, list, kList);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->prp1, 0x10000u);
  EXPECT_EQ(p->prp2, 0u);
  EXPECT_EQ(p->list_entries, 0u);
  // 512 bytes in the middle of a page.
  p = build_prps(0x10200, 512, list, kList);
  EXPECT_EQ(p->prp1, 0x10200u);
  EXPECT_EQ(p->prp2, 0u);
}

TEST(NvmePrp, TwoPagesPutTheSecondInPrp2) {
  uint64_t list[kPrpListEntries] = {};
  auto p = build_prps(0x10000, 8192, list, kList);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->prp2, 0x11000u);
  // An unaligned start crosses into a second page with fewer bytes.
  p = build_prps(0x10E00, 1024, list, kList);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->prp1, 0x10E00u);
  EXPECT_EQ(p->prp2, 0x11000u);
}

TEST(NvmePrp, MoreThanTwoPagesUseTheList) {
  uint64_t list[kPrpListEntries] = {};
  auto p = build_prps(0x20000, 3 * 4096, list, kList);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->prp1, 0x20000u);
  EXPECT_EQ(p->prp2, kList);
  ASSERT_EQ(p->list_entries, 2u);
  EXPECT_EQ(list[0], 0x21000u);
  EXPECT_EQ(list[1], 0x22000u);
}

TEST(NvmePrp, UnalignedStartListsEveryPageAfterTheFirst) {
  uint64_t list[kPrpListEntries] = {};
  // 1 MiB starting 512 bytes into a page touches 257 pages.
  auto p = build_prps(0x40200, 1 << 20, list, kList);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->prp1, 0x40200u);
  ASSERT_EQ(p->list_entries, 256u);
  for (size_t i = 0; i < 256; ++i)
    EXPECT_EQ(list[i], 0x41000u + i * 4096) << i;
}

TEST(NvmePrp, RejectsWhatOneListCannotDescribe) {
  std::vector<uint64_t> list(kPrpListEntries);
  EXPECT_EQ(build_prps(0x10002, 512, list.data(), kList).error(), -EINVAL); // not dword-aligned
  EXPECT_EQ(build_prps(0x10000, 0, list.data(), kList).error(), -EINVAL);
  // The largest: the first page plus a full list.
  auto p = build_prps(0x100000, (kPrpListEntries + 1) * kPageSize, list.data(), kList);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->list_entries, kPrpListEntries);
  EXPECT_EQ(build_prps(0x100000, (kPrpListEntries + 1) * kPageSize + 4, list.data(), kList).error(),
            -EINVAL);
  EXPECT_TRUE(build_prps(0x100FFC, kMaxPrpBytes, list.data(), kList).ok());
}

} // namespace
} // namespace nvme
