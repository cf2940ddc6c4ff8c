#include "drivers/nvme/identify.h"

#include <cstring>
#include <gtest/gtest.h>

namespace nvme {
namespace {

struct Page {
  uint8_t bytes[kIdentifySize] = {};
  void put(size_t at, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i)
      bytes[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  void text(size_t at, const char* s, size_t field) {
    memset(bytes + at, ' ', field);
    memcpy(bytes + at, s, strlen(s));
  }
};

TEST(NvmeIdentifyController, ReadsLimitsAndNames) {
  Page p;
  p.text(4, "nanos0", 20);
  p.text(24, "QEMU NVMe Ctrl", 40);
  p.bytes[77] = 7; // MDTS: 2^7 minimum pages
  p.put(516, 256, 4);
  p.bytes[525] = 1;
  ControllerInfo c = parse_controller(p.bytes, 4096);
  EXPECT_STREQ(c.serial, "nanos0");
  EXPECT_STREQ(c.model, "QEMU NVMe Ctrl");
  EXPECT_EQ(c.max_transfer_bytes, 512u * 1024u);
  EXPECT_EQ(c.namespace_count, 256u);
  EXPECT_TRUE(c.volatile_write_cache);
}

TEST(NvmeIdentifyController, ZeroMdtsMeansNoLimit) {
  Page p;
  ControllerInfo c = parse_controller(p.bytes, 4096);
  EXPECT_EQ(c.max_transfer_bytes, 0u);
  EXPECT_FALSE(c.volatile_write_cache);
  EXPECT_STREQ(c.serial, "");
  p.bytes[77] = 1;
  EXPECT_EQ(parse_controller(p.bytes, 8192).max_transfer_bytes, 16384u);
}

TEST(NvmeIdentifyNamespaces, FirstActiveIsTheFirstEntry) {
  Page p;
  EXPECT_EQ(first_active_namespace(p.bytes), 0u);
  p.put(0, 3, 4);
  p.put(4, 9, 4);
  EXPECT_EQ(first_active_namespace(p.bytes), 3u);
}

TEST(NvmeIdentifyNamespace, ReadsSizeAndTheFormattedLbaFormat) {
  Page p;
  p.put(0, 0x200000, 8);        // NSZE
  p.bytes[25] = 1;              // two formats
  p.bytes[26] = 1;              // the second is in use
  p.put(128, 9u << 16, 4);      // format 0: 512 bytes
  p.put(132, 12u << 16 | 8, 4); // format 1: 4096 bytes + 8 bytes metadata
  auto ns = parse_namespace(p.bytes);
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns->blocks, 0x200000u);
  EXPECT_EQ(ns->block_size, 4096u);
  EXPECT_EQ(ns->metadata_size, 8u);
  EXPECT_FALSE(ns->write_protected);
  p.bytes[26] = 0;
  p.bytes[99] = 1;
  ns = parse_namespace(p.bytes);
  EXPECT_EQ(ns->block_size, 512u);
  EXPECT_EQ(ns->metadata_size, 0u);
  EXPECT_TRUE(ns->write_protected);
}

TEST(NvmeIdentifyNamespace, RejectsInactiveAndInconsistentData) {
  Page p;
  EXPECT_EQ(parse_namespace(p.bytes).error(), -ENODEV);
  p.put(0, 100, 8);
  p.bytes[25] = 0;
  p.bytes[26] = 2; // format 2 of 1
  EXPECT_EQ(parse_namespace(p.bytes).error(), -EINVAL);
  p.bytes[26] = 0;
  p.put(128, 8u << 16, 4); // 256-byte blocks: below the minimum
  EXPECT_EQ(parse_namespace(p.bytes).error(), -EINVAL);
}

} // namespace
} // namespace nvme
