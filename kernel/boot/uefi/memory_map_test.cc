// Host test of the UEFI memory map -> region table conversion (memory_map.cc).
#include "memory_map.h"

#include <cstring>
#include <gtest/gtest.h>
#include <vector>

namespace {

struct Descriptor {
  uint32_t type;
  uint64_t start;
  uint64_t pages;
};

// Lays descriptors out as firmware does: `stride` bytes each (48 on OVMF, 40 in the spec).
std::vector<uint8_t> map_of(std::initializer_list<Descriptor> list, size_t stride = 48) {
  std::vector<uint8_t> bytes(list.size() * stride, 0xEE); // padding and attributes: junk
  size_t off = 0;
  for (const Descriptor& d : list) {
    memcpy(&bytes[off], &d.type, 4);
    memcpy(&bytes[off + 8], &d.start, 8);
    memcpy(&bytes[off + 24], &d.pages, 8);
    off += stride;
  }
  return bytes;
}

std::vector<uefi_boot::RegionRecord> convert(const std::vector<uint8_t>& map, size_t stride = 48,
                                             size_t max = 64) {
  std::vector<uefi_boot::RegionRecord> out(max);
  size_t n = uefi_boot::regions_from_memory_map(map.data(), map.size(), stride, out.data(), max);
  out.resize(n);
  return out;
}

TEST(UefiMemoryMap, TypesAfterExitBootServices) {
  EXPECT_EQ(uefi_boot::region_type(7), 1u);  // conventional
  EXPECT_EQ(uefi_boot::region_type(1), 1u);  // loader code: the loader is done with it
  EXPECT_EQ(uefi_boot::region_type(4), 1u);  // boot services data
  EXPECT_EQ(uefi_boot::region_type(5), 2u);  // runtime services code stays the firmware's
  EXPECT_EQ(uefi_boot::region_type(6), 2u);  // runtime services data
  EXPECT_EQ(uefi_boot::region_type(9), 3u);  // ACPI tables
  EXPECT_EQ(uefi_boot::region_type(10), 4u); // ACPI NVS
  EXPECT_EQ(uefi_boot::region_type(8), 5u);  // unusable
  EXPECT_EQ(uefi_boot::region_type(11), 2u); // MMIO
  EXPECT_EQ(uefi_boot::region_type(0), 2u);  // reserved
}

TEST(UefiMemoryMap, MergesTouchingRangesOfOneKind) {
  auto r = convert(map_of({{4, 0x0, 0x10},        // boot services data
                           {7, 0x10000, 0x80},    // conventional, touching
                           {2, 0x90000, 0x10},    // loader data, touching
                           {6, 0x100000, 0x20},   // runtime data
                           {7, 0x120000, 0x100},  // conventional
                           {9, 0x300000, 0x4}})); // ACPI, with a hole before it
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].base, 0u);
  EXPECT_EQ(r[0].length, 0xA0000u);
  EXPECT_EQ(r[0].type, 1u);
  EXPECT_EQ(r[1].base, 0x100000u);
  EXPECT_EQ(r[1].type, 2u);
  EXPECT_EQ(r[2].base, 0x120000u);
  EXPECT_EQ(r[2].length, 0x100000u);
  EXPECT_EQ(r[3].type, 3u);
  EXPECT_EQ(r[3].length, 0x4000u);
}

TEST(UefiMemoryMap, UnsortedInputComesOutSortedAndMerged) {
  auto r = convert(
      map_of({{7, 0x200000, 0x10}, {7, 0x100000, 0x10}, {7, 0x110000, 0xF0}, {10, 0x0, 0x1}}, 40),
      40);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].base, 0u);
  EXPECT_EQ(r[0].type, 4u);
  EXPECT_EQ(r[1].base, 0x100000u);
  EXPECT_EQ(r[1].length, 0x110000u); // the middle piece joined both neighbours
}

TEST(UefiMemoryMap, SkipsEmptyDescriptorsAndRefusesBadInput) {
  auto r = convert(map_of({{7, 0x100000, 0}, {7, 0x200000, 1}}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].base, 0x200000u);
  EXPECT_TRUE(convert(map_of({{7, 0, 1}}, 32), 32).empty()); // stride below the spec's 40
  EXPECT_TRUE(convert(map_of({{7, 0, ~0ull}})).empty());     // page count overflows
  // More separate ranges than records: refused, not truncated (a lost reservation is unsafe).
  EXPECT_TRUE(convert(map_of({{7, 0, 1}, {9, 0x2000, 1}, {7, 0x4000, 1}}), 48, 2).empty());
}

TEST(UefiMemoryMap, RamCovers) {
  auto r = convert(map_of({{7, 0x0, 0xA0}, {6, 0xA0000, 0x60}, {7, 0x100000, 0x100}}));
  EXPECT_TRUE(uefi_boot::ram_covers(r.data(), r.size(), 0x7000, 0x1000));
  EXPECT_TRUE(uefi_boot::ram_covers(r.data(), r.size(), 0x100000, 0x100000));
  EXPECT_FALSE(uefi_boot::ram_covers(r.data(), r.size(), 0x9F000, 0x2000)); // crosses into runtime
  EXPECT_FALSE(uefi_boot::ram_covers(r.data(), r.size(), 0x1F0000, 0x20000)); // past the end
}

} // namespace
