// virtio-blk over PCI: virtio 1.0 "modern" transport through the vendor capabilities, or
// the legacy I/O-port transport (transitional devices with disable-modern=on). Polled, one
// request in flight, no interrupts.
#pragma once

#include "drivers/pci.h"

namespace virtio_blk {
// True if the function is a virtio-blk device (transitional 0x1001 or modern 0x1042).
bool matches(const pci::Device& dev);
// Initialises the device and registers it with block::register_disk. Prints one line.
void probe(const pci::Device& dev);
} // namespace virtio_blk
