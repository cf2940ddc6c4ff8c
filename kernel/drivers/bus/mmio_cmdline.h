// virtio-mmio devices named on the kernel command line, in the convention Linux defined
// and VMMs follow (QEMU microvm with auto-kernel-cmdline, Firecracker):
//   virtio_mmio.device=<size>@<base address>:<irq>[:<id>]
// size takes a K, M or G suffix; numbers are decimal or 0x-prefixed hexadecimal.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace drivers {

struct MmioSlot {
  uint64_t phys = 0;
  uint64_t size = 0;
  uint32_t irq = 0; // a GSI
  bool has_irq = false;
};

// Fills up to `max` slots from `cmdline`; returns how many were found. Malformed entries
// (no '@', no address) are skipped.
size_t parse_mmio_cmdline(const char* cmdline, MmioSlot* out, size_t max);

} // namespace drivers
