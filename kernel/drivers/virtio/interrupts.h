// Interrupt set-up shared by the virtio transports, on top of arch/x86_64/irq.h and the
// PCI MSI/MSI-X helpers: one vector per device, whose handler the transport's owner gives.
#pragma once

#include "drivers/pci.h"
#include "drivers/virtio/transport.h"

#include <stddef.h>
#include <stdint.h>

namespace virtio {

enum class PciInterrupt : uint8_t { kMsix, kIntx };

// MSI-X table entry 0 -> a new vector if the function has MSI-X, else its INTx line
// (pci::attach_intx: an ISA IRQ on `pc`, a GSI from 16 on q35, shared), level-triggered. Writes a
// description ("MSI-X vector 34") to `mode`. -ENODEV if neither works.
ErrorOr<PciInterrupt> enable_pci_interrupt(pci::Address addr, InterruptHandler handler, void* ctx,
                                           char* mode, size_t mode_size);
// A level-triggered, active-high GSI (virtio-mmio's line stays up until acknowledged),
// shared with other devices on it (irq::attach_gsi).
Status enable_gsi_interrupt(uint32_t gsi, InterruptHandler handler, void* ctx, char* mode,
                            size_t mode_size);

} // namespace virtio
