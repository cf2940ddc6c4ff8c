#include "drivers/bus/mmio_cmdline.h"

#include <gtest/gtest.h>

namespace drivers {
namespace {

TEST(MmioCmdline, QemuMicrovmEntries) {
  MmioSlot s[4];
  size_t n = parse_mmio_cmdline(
      "core.x virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11", s, 4);
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(s[0].phys, 0xFEB00E00u);
  EXPECT_EQ(s[0].size, 512u);
  EXPECT_TRUE(s[0].has_irq);
  EXPECT_EQ(s[0].irq, 12u);
  EXPECT_EQ(s[1].phys, 0xFEB00C00u);
  EXPECT_EQ(s[1].irq, 11u);
}

TEST(MmioCmdline, SizeSuffixIdAndNoIrq) {
  MmioSlot s[4];
  ASSERT_EQ(parse_mmio_cmdline("virtio_mmio.device=4K@0xd0000000:5:3", s, 4), 1u);
  EXPECT_EQ(s[0].size, 4096u);
  EXPECT_EQ(s[0].phys, 0xD0000000u);
  EXPECT_EQ(s[0].irq, 5u);
  ASSERT_EQ(parse_mmio_cmdline("virtio_mmio.device=0x200@4026531840", s, 4), 1u);
  EXPECT_EQ(s[0].size, 0x200u);
  EXPECT_EQ(s[0].phys, 0xF0000000u);
  EXPECT_FALSE(s[0].has_irq);
  ASSERT_EQ(parse_mmio_cmdline("virtio_mmio.device=1M@0x1000:40", s, 4), 1u);
  EXPECT_EQ(s[0].size, 1u << 20);
  EXPECT_EQ(s[0].irq, 40u);
}

TEST(MmioCmdline, SkipsMalformedAndForeignKeys) {
  MmioSlot s[4];
  EXPECT_EQ(parse_mmio_cmdline("", s, 4), 0u);
  EXPECT_EQ(parse_mmio_cmdline("virtio_mmio.device=512", s, 4), 0u) << "no address";
  EXPECT_EQ(parse_mmio_cmdline("virtio_mmio.device=512@", s, 4), 0u);
  EXPECT_EQ(parse_mmio_cmdline("virtio_mmio.device=@0x1000:5", s, 4), 0u) << "no size";
  EXPECT_EQ(parse_mmio_cmdline("virtio_mmio.device=512@0xZZ", s, 4), 0u);
  EXPECT_EQ(parse_mmio_cmdline("x.virtio_mmio.device=512@0x1000:5", s, 4), 0u);
  EXPECT_EQ(parse_mmio_cmdline("virtio_mmio.device=512@0x1000:5junk", s, 4), 0u);
  ASSERT_EQ(parse_mmio_cmdline("virtio_mmio.device=bad virtio_mmio.device=512@0x2000:7", s, 4), 1u);
  EXPECT_EQ(s[0].phys, 0x2000u);
}

TEST(MmioCmdline, StopsAtCapacity) {
  MmioSlot s[1];
  EXPECT_EQ(
      parse_mmio_cmdline("virtio_mmio.device=512@0x1000:5 virtio_mmio.device=512@0x2000:6", s, 1),
      1u);
  EXPECT_EQ(s[0].phys, 0x1000u);
}

} // namespace
} // namespace drivers
