// A FAT32 file system holding one file, EFI/BOOT/BOOTX64.EFI: the EFI system partition of a
// BIOS+UEFI image (spec §1.4). Written from Microsoft's FAT specification (BPB, FSInfo, FAT,
// 8.3 directory entries). Same input, same bytes: fixed dates, a volume ID derived from the
// loader's bytes.
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mkimage {

// The ESP's size: 33 MiB, as Nanos' mkfs and ops make it. FAT32 needs at least 65525
// clusters; with 512-byte clusters that takes ~32.5 MiB.
constexpr uint64_t kEspSectors = 33 * 2048;

struct FatVolume {
  uint64_t sizeBytes = 0;
  // Non-zero pieces at byte offsets from the partition start; everything else is zero.
  std::vector<std::pair<uint64_t, std::string>> pieces;
};

// Lays out a FAT32 volume of `sectors` 512-byte sectors holding EFI/BOOT/BOOTX64.EFI =
// `loader`. `hiddenSectors` is the partition's first LBA (BPB_HiddSec). Fails when the
// volume is too small for FAT32 or for the file.
llvm::Expected<FatVolume> layoutEsp(const std::string& loader, uint64_t sectors,
                                    uint32_t hiddenSectors);

} // namespace mkimage
