// What the boot path handed over: how we were booted, the physical memory map, the ACPI
// RSDP and the command line (PVH and Linux protocol).
#pragma once

#include "mm/region_table.h"

#include <stdint.h>

namespace boot {

// kLinux: the Linux 64-bit boot protocol (RSI = zero page), as Firecracker uses it.
enum class Path { kStage2, kPvh, kLinux };

struct Info {
  Path path;
  uint64_t rsdp_phys; // 0 = unknown (search the BIOS area)
  char cmdline[256];  // PVH / Linux-protocol command line, copied out; empty otherwise
  uint64_t start_info_phys;
};

const Info& info();
// True if the PVH command line contains `word` as a whole space-separated token.
bool cmdline_has(const char* word);

} // namespace boot
