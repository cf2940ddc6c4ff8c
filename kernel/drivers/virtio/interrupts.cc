#include "drivers/virtio/interrupts.h"

namespace virtio {

// Until the interrupt layer (arch/x86_64/irq.h) is merged, every device is polled.
ErrorOr<PciInterrupt> enable_pci_interrupt(pci::Address, InterruptHandler, void*, char*,
                                           size_t) {
  return Err(-ENODEV);
}

Status enable_gsi_interrupt(uint32_t, InterruptHandler, void*, char*, size_t) {
  return Err(-ENODEV);
}

} // namespace virtio
