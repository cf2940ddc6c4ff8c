// Sector reads through BIOS INT 13h AH=42h (EDD), from protected mode via the real-mode thunk
// in stage2_entry.S. SeaBIOS serves IDE, AHCI, virtio-blk and virtio-scsi disks this way, so
// stage2 needs no disk drivers of its own.
#include "stage2.h"

namespace {
struct [[gnu::packed]] DiskAddressPacket {
  uint8_t size;
  uint8_t reserved;
  uint16_t count;
  uint16_t offset;
  uint16_t segment;
  uint64_t lba;
};

// Real mode addresses it as 0:&g_dap, so it sits with the entry code below 64 KiB.
[[gnu::section(".data.entry")]] DiskAddressPacket g_dap;
uint32_t g_drive;

// 127 sectors per call (some BIOSes refuse 128) into 2000:0000, which is free conventional
// memory above stage2 (boot.ld checks stage2 ends below it).
constexpr uint32_t kBounce = 0x20000;
constexpr uint32_t kMaxSectors = 127;
} // namespace

namespace stage2 {

void disk_init(uint32_t drive) {
  g_drive = drive;
}

bool disk_read(uint64_t lba, uint32_t count, void* dst) {
  auto* out = static_cast<uint8_t*>(dst);
  while (count) {
    uint32_t n = count < kMaxSectors ? count : kMaxSectors;
    g_dap.size = sizeof(DiskAddressPacket);
    g_dap.reserved = 0;
    g_dap.count = static_cast<uint16_t>(n);
    g_dap.offset = 0;
    g_dap.segment = kBounce >> 4;
    g_dap.lba = lba;
    if (bios_disk_read(g_drive, reinterpret_cast<uint32_t>(&g_dap)) != 0)
      return false;
    memcpy(out, reinterpret_cast<const void*>(kBounce), n * 512);
    out += n * 512;
    lba += n;
    count -= n;
  }
  return true;
}

} // namespace stage2
