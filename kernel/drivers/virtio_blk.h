// virtio-blk over PCI: virtio 1.0 "modern" transport through the vendor capabilities, or
// the legacy I/O-port transport (transitional devices with disable-modern=on); and over
// virtio-mmio (versions 1 and 2). Polled, one
// request in flight, no interrupts.
#pragma once

#include "drivers/pci.h"

#include <stdint.h>

namespace virtio_blk {
// True if the function is a virtio-blk device (transitional 0x1001 or modern 0x1042).
bool matches(const pci::Device& dev);
// Initialises the device and registers it with block::register_disk. Prints one line.
void probe(const pci::Device& dev);
// virtio-mmio transport at physical `phys` (microvm, Firecracker): if it is a block device,
// initialises and registers it. Returns whether a disk was added.
bool probe_mmio(uint64_t phys);
} // namespace virtio_blk
