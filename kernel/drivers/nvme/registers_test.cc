#include "drivers/nvme/registers.h"

#include <gtest/gtest.h>

namespace nvme {
namespace {

TEST(NvmeCapabilities, DecodesEveryField) {
  // MQES 0x7FF, CQR, TO 0x0F, DSTRD 2, CSS bit 0, MPSMIN 1, MPSMAX 4.
  uint64_t cap =
      0x7FFull | 1ull << 16 | 0x0Full << 24 | 2ull << 32 | 1ull << 37 | 1ull << 48 | 4ull << 52;
  Capabilities c = decode_capabilities(cap);
  EXPECT_EQ(c.max_queue_entries, 0x800u);
  EXPECT_TRUE(c.contiguous_required);
  EXPECT_EQ(c.ready_timeout_ms, 15u * 500u);
  EXPECT_EQ(c.doorbell_stride, 16u);
  EXPECT_TRUE(c.nvm_command_set);
  EXPECT_EQ(c.min_page_size, 8192u);
  EXPECT_EQ(c.max_page_size, 65536u);
}

TEST(NvmeCapabilities, ZeroFieldsMeanTheSmallestValues) {
  Capabilities c = decode_capabilities(0);
  EXPECT_EQ(c.max_queue_entries, 1u);
  EXPECT_FALSE(c.contiguous_required);
  EXPECT_EQ(c.doorbell_stride, 4u);
  EXPECT_FALSE(c.nvm_command_set);
  EXPECT_EQ(c.min_page_size, 4096u);
}

TEST(NvmeDoorbells, FollowTheStride) {
  EXPECT_EQ(submission_doorbell(0, 4), 0x1000u);
  EXPECT_EQ(completion_doorbell(0, 4), 0x1004u);
  EXPECT_EQ(submission_doorbell(1, 4), 0x1008u);
  EXPECT_EQ(completion_doorbell(1, 4), 0x100Cu);
  // DSTRD 3: 32 bytes between doorbells.
  EXPECT_EQ(submission_doorbell(1, 32), 0x1040u);
  EXPECT_EQ(completion_doorbell(1, 32), 0x1060u);
}

TEST(NvmeConfiguration, EnablesNvmWithStandardEntrySizes) {
  uint32_t cc = enabled_configuration();
  EXPECT_EQ(cc & 1u, 1u);           // EN
  EXPECT_EQ((cc >> 4) & 7u, 0u);    // CSS: NVM
  EXPECT_EQ((cc >> 7) & 0xFu, 0u);  // MPS: 4 KiB
  EXPECT_EQ((cc >> 16) & 0xFu, 6u); // IOSQES
  EXPECT_EQ((cc >> 20) & 0xFu, 4u); // IOCQES
  EXPECT_EQ((cc >> 14) & 3u, 0u);   // no shutdown notification
}

TEST(NvmeConfiguration, AdminQueueSizesAreZeroBased) {
  EXPECT_EQ(admin_queue_attributes(32, 32), 0x001F001Fu);
  EXPECT_EQ(admin_queue_attributes(2, 64), 0x003F0001u);
}

} // namespace
} // namespace nvme
