// The disk around the two TFS partitions (spec §1): the boot image (stage1 sector with
// its stage2 descriptor + stage2), the 4 KiB klog area, and the MBR partition entries.
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mkimage {

struct BootImage {
  std::string bytes; // stage1 sector + stage2
  uint64_t stage2Size = 0;
};

// stage2 is read to 0x8000 in real mode: it must end in the low memory every PC has free
// (below 0x80000; the extended BIOS data area may start soon after).
constexpr uint64_t kMaxStage2Size = 0x80000 - 0x8000;

// Checks the boot sector signature 55 AA, the 0x1AA descriptor {base 0x8000, length S2,
// type 12}, 0 < S2 <= kMaxStage2Size and len == 512 + S2.
llvm::Expected<BootImage> parseBootImage(std::string bytes, const std::string& path);

// Offset of the first partition: 512 + S2 + 4096 (klog dump area before it).
inline uint64_t firstPartitionOffset(const BootImage& b) {
  return 512 + b.stage2Size + 4096;
}

// MBR partition types: a TFS partition, an EFI system partition (spec §1.2).
constexpr uint8_t kPartitionTfs = 0x83;
constexpr uint8_t kPartitionEsp = 0xEF;

// One MBR partition entry (16 bytes): active, the given type, CHS as upstream writes it.
std::string partitionEntry(uint64_t firstLba, uint64_t sectors, uint8_t type = kPartitionTfs);

} // namespace mkimage
