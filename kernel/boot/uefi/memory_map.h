// The UEFI memory map turned into the Nanos region table the kernel reads under stage2
// (spec §2.2): what is free once boot services have exited becomes RAM, the rest keeps a
// BIOS-style type. Pure logic over bytes, unit-tested on the host (memory_map_test.cc).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace uefi_boot {

struct RegionRecord {
  uint64_t base;
  uint64_t length;
  uint32_t type;
};

// Region (E820-style) type for a UEFI memory type (UEFI spec table 7-6 "Memory type usage
// after ExitBootServices"): loader, boot-services and conventional memory are RAM (1); ACPI
// reclaim is 3, ACPI NVS 4, unusable 5; everything else, runtime services included, is
// reserved (2).
uint32_t region_type(uint32_t efi_type);

// Converts `map_size` bytes of descriptors (each `descriptor_size` bytes, as GetMemoryMap
// reports) into records sorted by base, merging touching ranges of the same type. Returns the
// number written, or 0 when more than `max` would be needed or a descriptor is malformed.
size_t regions_from_memory_map(const uint8_t* map, size_t map_size, size_t descriptor_size,
                               RegionRecord* out, size_t max);

// Whether [base, base + length) lies inside one RAM record.
bool ram_covers(const RegionRecord* records, size_t count, uint64_t base, uint64_t length);

} // namespace uefi_boot
