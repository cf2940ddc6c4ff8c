#include "drivers/virtio/interrupts.h"

#include "arch/x86_64/irq.h"
#include "lib/format.h"

namespace virtio {

ErrorOr<PciInterrupt> enable_pci_interrupt(pci::Address addr, InterruptHandler handler, void* ctx,
                                           char* mode, size_t mode_size) {
  if (pci::msix_table_size(addr) > 0) {
    auto vector = irq::allocate(handler, ctx, "virtio");
    if (vector) {
      if (pci::enable_msix(addr, 0, *vector)) {
        klib::format(mode, mode_size, "MSI-X vector %u", *vector);
        return PciInterrupt::kMsix;
      }
      irq::release(*vector);
    }
  }
  uint8_t line = 0;
  auto vector = pci::attach_intx(addr, handler, ctx, "virtio", &line); // shared
  if (!vector)
    return Err(vector.error());
  klib::format(mode, mode_size, "INTx IRQ %u vector %u", line, *vector);
  return PciInterrupt::kIntx;
}

Status enable_gsi_interrupt(uint32_t gsi, InterruptHandler handler, void* ctx, char* mode,
                            size_t mode_size) {
  // virtio-mmio's line follows its InterruptStatus register: level-triggered, active high,
  // and shared like any other line (irq::attach_gsi).
  auto vector =
      irq::attach_gsi(gsi, irq::Trigger::kLevel, irq::Polarity::kHigh, handler, ctx, "virtio");
  if (!vector)
    return Err(vector.error());
  klib::format(mode, mode_size, "IRQ %u vector %u", gsi, *vector);
  return status_ok();
}

} // namespace virtio
