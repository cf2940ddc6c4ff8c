#include "mm/region_table.h"

#include <cstring>
#include <gtest/gtest.h>
#include <vector>

namespace mm {
namespace {

// Builds a Nanos region table: records grow down from the returned anchor.
struct RegionTableBytes {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(20 * 32, 0);
  size_t count = 0;
  void add(uint64_t base, uint64_t length, uint32_t type) {
    uint8_t* rec = anchor() - 20 * count++;
    std::memcpy(rec, &base, 8);
    std::memcpy(rec + 8, &length, 8);
    std::memcpy(rec + 16, &type, 4);
  }
  uint8_t* anchor() { return bytes.data() + bytes.size() - 20; }
};

TEST(RegionTable, ParsesRamAndReservationsUntilTypeZero) {
  RegionTableBytes t;
  t.add(0x8000, 0xBC00, kRegionFilesystem); // record 0: stage2 descriptor
  t.add(0, 0x9FC00, kRegionRam);
  t.add(0x100000, 0x7EE0000, kRegionRam);
  t.add(0x7FE0000, 0x20000, kRegionReserved);
  t.add(0x400000, 0x100000, kRegionKernImage);     // stage2's copy of the kernel file: free
  t.add(0x6000000, 0x100000, kRegionInitialPages); // stage2's page tables: free
  t.add(0x5000000, 0x1000, kRegionCmdline);        // kept
  t.add(0x7000000, 0x8000, kRegionReclaim);        // stage2 stack: free for the kernel
  t.add(0, 0, 0);
  t.add(0x10000000, 0x1000000, kRegionRam); // after the terminator: ignored
  MemoryMap map;
  EXPECT_EQ(parse_region_table(t.anchor(), 32, map), 8u);
  map.finalize();
  ASSERT_EQ(map.ram_count, 4u);
  EXPECT_EQ(map.ram[0].base, 0u);
  EXPECT_EQ(map.ram[0].length, 0x8000u); // cut by the stage2 descriptor
  EXPECT_EQ(map.ram[1].base, 0x14000u);  // 0x8000 + 0xBC00 rounded up
  EXPECT_EQ(map.ram[1].end(), 0x9F000u); // 0x9FC00 rounded down
  EXPECT_EQ(map.ram[2].base, 0x100000u);
  EXPECT_EQ(map.ram[2].end(), 0x5000000u);
  EXPECT_EQ(map.ram[3].base, 0x5001000u);
  EXPECT_EQ(map.ram[3].end(), 0x7FE0000u);
  EXPECT_EQ(map.highest_ram_end(), 0x7FE0000u);
}

TEST(RegionTable, StopsAtMaxRecords) {
  RegionTableBytes t;
  t.add(0x100000, 0x100000, kRegionRam);
  t.add(0x300000, 0x100000, kRegionRam);
  MemoryMap map;
  EXPECT_EQ(parse_region_table(t.anchor(), 1, map), 1u);
  map.finalize();
  EXPECT_EQ(map.total_ram(), 0x100000u);
}

TEST(PvhMemmap, TypeOneIsRamEverythingElseReserved) {
  struct Entry {
    uint64_t addr, size;
    uint32_t type, reserved;
  } entries[] = {
      {0, 0x9FC00, 1, 0},
      {0x9FC00, 0x400, 2, 0},
      {0xF0000, 0x10000, 2, 0},
      {0x100000, 0x7F00000, 1, 0},
      {0x7FE0000, 0x20000, 3, 0}, // ACPI tables inside the RAM entry
                                  // above
      {0xFFFC0000, 0x40000, 2, 0},
  };
  static_assert(sizeof(Entry) == 24);
  MemoryMap map;
  parse_pvh_memmap(reinterpret_cast<const uint8_t*>(entries), 6, map);
  map.finalize();
  ASSERT_EQ(map.ram_count, 2u);
  EXPECT_EQ(map.ram[0].end(), 0x9F000u);
  EXPECT_EQ(map.ram[1].base, 0x100000u);
  EXPECT_EQ(map.ram[1].end(), 0x7FE0000u);
}

TEST(E820, AscendingPackedEntries) {
  struct __attribute__((packed)) Entry {
    uint64_t addr, size;
    uint32_t type;
  } entries[] = {
      {0, 0x9FC00, 1}, {0x9FC00, 0x400, 2}, {0x100000, 0x3F00000, 1}, {0xFFFC0000, 0x40000, 2}};
  static_assert(sizeof(Entry) == 20);
  MemoryMap map;
  parse_e820(reinterpret_cast<const uint8_t*>(entries), 4, map);
  map.finalize();
  ASSERT_EQ(map.ram_count, 2u);
  EXPECT_EQ(map.ram[0].end(), 0x9F000u);
  EXPECT_EQ(map.ram[1].base, 0x100000u);
  EXPECT_EQ(map.ram[1].end(), 0x4000000u);
  EXPECT_EQ(map.reserved_count, 2u);
}

TEST(MemoryMap, MergesOverlapsAndSplitsAroundReservations) {
  MemoryMap map;
  map.add_ram(0x100000, 0x200000);
  map.add_ram(0x200000, 0x200000); // overlaps and extends
  map.add_ram(0x1000000, 0x1000);
  map.add_reserved(0x180000, 0x1);     // grows to one page, splits the range
  map.add_reserved(0x1000000, 0x1000); // removes a whole range
  map.finalize();
  ASSERT_EQ(map.ram_count, 2u);
  EXPECT_EQ(map.ram[0].base, 0x100000u);
  EXPECT_EQ(map.ram[0].end(), 0x180000u);
  EXPECT_EQ(map.ram[1].base, 0x181000u);
  EXPECT_EQ(map.ram[1].end(), 0x400000u);
  EXPECT_EQ(map.total_ram(), 0x300000u - 0x1000u);
}

TEST(MemoryMap, IgnoresEmptyAndSubPageRam) {
  MemoryMap map;
  map.add_ram(0x1000, 0);
  map.add_ram(0x1800, 0x800);   // no whole page
  map.add_ram(~0ull - 10, 100); // wraps around
  map.finalize();
  EXPECT_EQ(map.ram_count, 0u);
  EXPECT_EQ(map.highest_ram_end(), 0u);
}

TEST(MemoryMap, FullTableRejectsMore) {
  MemoryMap map;
  for (size_t i = 0; i < MemoryMap::kMaxRanges; ++i)
    EXPECT_TRUE(map.add_ram(i * 0x10000, 0x1000));
  EXPECT_FALSE(map.add_ram(0x10000000, 0x1000));
}

} // namespace
} // namespace mm
