// Physical memory maps handed to the kernel, normalised into one MemoryMap:
//  - the Nanos region table written by stage2 (records growing down from 0x7DAA),
//  - the PVH hvm_start_info memory map (QEMU -kernel, Xen).
// Pure parsing over caller-provided bytes: unit-tested on the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mm {

enum class RegionKind : uint8_t { kRam, kReserved };

struct PhysRange {
  uint64_t base;
  uint64_t length;
  uint64_t end() const { return base + length; }
};

// Usable RAM ranges (page-aligned, sorted, non-overlapping) plus ranges that must never be
// handed out (reserved by firmware, stage2, the kernel image...).
struct MemoryMap {
  static constexpr size_t kMaxRanges = 64;
  PhysRange ram[kMaxRanges];
  size_t ram_count = 0;
  PhysRange reserved[kMaxRanges];
  size_t reserved_count = 0;

  // Adds RAM (shrunk to whole pages) or a reservation (grown to whole pages). Returns false
  // when the table is full (the range is dropped).
  bool add_ram(uint64_t base, uint64_t length);
  bool add_reserved(uint64_t base, uint64_t length);
  // Sorts and merges RAM ranges and removes every reserved range from them.
  void finalize();
  uint64_t total_ram() const;
  uint64_t highest_ram_end() const;
};

// Nanos region types (spec §2.2).
enum : uint32_t {
  kRegionRam = 1,
  kRegionReserved = 2,
  kRegionInitialPages = 10,
  kRegionCmdline = 11,
  kRegionFilesystem = 12,
  kRegionKernImage = 13,
  kRegionReclaim = 14,
  kRegionSmbios = 15,
  kRegionRsdp = 16,
};
constexpr uint64_t kRegionTableAnchor = 0x7DAA; // physical address of record 0
constexpr size_t kRegionRecordSize = 20;

// Parses the region table whose record 0 is at `anchor` (a pointer to the bytes at
// physical 0x7DAA); records are read at anchor - 20*i until type 0 or max_records.
// RAM (type 1) becomes RAM; every other type becomes a reservation, except what only stage2
// needed: RECLAIM (its stack), INITIAL_PAGES (its page tables; the kernel loads its own
// before parsing this) and KERNIMAGE (the kernel file it loaded the segments from). Those
// stay free RAM. Returns the number of records read.
size_t parse_region_table(const uint8_t* anchor, size_t max_records, MemoryMap& map);

// Parses a BIOS E820 table: `count` packed 20-byte entries {u64 addr, u64 size, u32 type}
// in ascending order (the Linux zero page's e820_table); type 1 is RAM, the rest reserved.
void parse_e820(const uint8_t* entries, size_t count, MemoryMap& map);

// Parses a PVH memory map: `count` entries {u64 addr, u64 size, u32 type, u32 reserved};
// type 1 is RAM, everything else is reserved.
void parse_pvh_memmap(const uint8_t* entries, size_t count, MemoryMap& map);

} // namespace mm
