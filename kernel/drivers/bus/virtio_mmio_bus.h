// virtio-mmio as a bus: transports named on the command line (virtio_mmio.device=, with
// their IRQ), else -- on a machine without PCI -- QEMU microvm's fixed transports probed
// one by one (their IRQs unknown: such devices are polled).
#pragma once

#include <stddef.h>

namespace drivers {
void scan_virtio_mmio(bool machine_has_pci);
} // namespace drivers
