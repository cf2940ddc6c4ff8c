// Block devices, 512-byte sectors. The root disk is the first disk a driver registered
// (virtio-blk or virtio-scsi, in bus order: PCI, then virtio-mmio).
#pragma once

#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace block {

constexpr size_t kSectorSize = 512;

class Device {
public:
  virtual ~Device() = default;
  // Reads/writes `count` sectors starting at `sector` to/from `buffer` (any kernel memory:
  // heap, direct map or kernel image). -EIO on device error, -EINVAL past the end.
  virtual Status read(uint64_t sector, size_t count, void* buffer) = 0;
  virtual Status write(uint64_t sector, size_t count, const void* buffer) = 0;
  virtual Status flush() = 0;
  virtual uint64_t capacity_sectors() const = 0;
  virtual bool read_only() const = 0;
  virtual const char* name() const = 0;
};

// What the drivers did since boot (for syscall_summary): requests, sectors, and TSC cycles
// from submitting each request to its completion (waiting included).
struct IoStats {
  uint64_t requests = 0, sectors = 0, tsc = 0;
};
IoStats& read_stats();
IoStats& write_stats();

// The root disk (nullptr if no disk was found). Registered by the driver during boot.
Device* root_disk();
void register_disk(Device* dev);
size_t disk_count();
Device* disk(size_t index);

} // namespace block
