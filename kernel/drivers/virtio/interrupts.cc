#include "drivers/virtio/interrupts.h"

#include "arch/x86_64/irq.h"
#include "lib/format.h"

namespace virtio {
namespace {

// A GSI line (q35's PCI INTx 16-23, an mmio IRQ) may carry several devices. Each line gets
// one vector whose handler calls every device on it; each device's handler checks its own
// status register and ignores interrupts not its own. (ISA IRQ lines, `pc`'s INTx, are
// shared by irq::attach_isa_irq itself.)
struct SharedLine {
  uint32_t gsi_key = 0; // 0x100 + GSI for PCI INTx, 0x200 + GSI for virtio-mmio
  uint8_t vector = 0;
  static constexpr int kMaxDevices = 8;
  struct Entry {
    InterruptHandler handler;
    void* ctx;
  } devices[kMaxDevices] = {};
  int count = 0;
};
constexpr int kMaxLines = 16;
SharedLine g_lines[kMaxLines];
int g_line_count = 0;

void dispatch_line(void* ctx) {
  auto* line = static_cast<SharedLine*>(ctx);
  for (int i = 0; i < line->count; ++i)
    line->devices[i].handler(line->devices[i].ctx);
}

// Adds a device to the line `key`, routing the line with `route` the first time.
ErrorOr<uint8_t> join_line(uint32_t key, InterruptHandler handler, void* ctx,
                           Status (*route)(uint32_t key, uint8_t vector)) {
  SharedLine* line = nullptr;
  for (int i = 0; i < g_line_count && !line; ++i)
    if (g_lines[i].gsi_key == key)
      line = &g_lines[i];
  if (!line) {
    if (g_line_count == kMaxLines)
      return Err(-EBUSY);
    SharedLine* fresh = &g_lines[g_line_count];
    auto vector = irq::allocate(dispatch_line, fresh, "virtio");
    if (!vector)
      return Err(vector.error());
    fresh->gsi_key = key;
    fresh->vector = *vector;
    // The device list is filled before the line is routed: an interrupt that arrives as
    // soon as it is unmasked finds its handler.
    fresh->devices[0] = {handler, ctx};
    fresh->count = 1;
    Status routed = route(key, *vector);
    if (!routed) {
      irq::release(*vector);
      *fresh = SharedLine{};
      return Err(routed.error());
    }
    ++g_line_count;
    return fresh->vector;
  }
  if (line->count == SharedLine::kMaxDevices)
    return Err(-EBUSY);
  line->devices[line->count++] = {handler, ctx};
  return line->vector;
}

// PCI INTx above the ISA range (q35's GSIs 16-23) and virtio-mmio lines are level-
// triggered; PCI INTx is active low, virtio-mmio's line is active high.
Status route_pci_gsi(uint32_t key, uint8_t vector) {
  return irq::route_gsi(key - 0x100, vector, irq::Trigger::kLevel, irq::Polarity::kLow);
}
Status route_mmio_gsi(uint32_t key, uint8_t vector) {
  return irq::route_gsi(key - 0x200, vector, irq::Trigger::kLevel, irq::Polarity::kHigh);
}

} // namespace

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
  uint8_t line = pci::interrupt_line(addr);
  if (pci::interrupt_pin(addr) == 0 || line == 0 || line == 0xFF)
    return Err(-ENODEV);
  auto vector = line < 16 ? irq::attach_isa_irq(line, handler, ctx, "virtio")
                          : join_line(0x100u + line, handler, ctx, route_pci_gsi);
  if (!vector)
    return Err(vector.error());
  klib::format(mode, mode_size, "INTx IRQ %u vector %u", line, *vector);
  return PciInterrupt::kIntx;
}

Status enable_gsi_interrupt(uint32_t gsi, InterruptHandler handler, void* ctx, char* mode,
                            size_t mode_size) {
  auto vector = join_line(0x200u + gsi, handler, ctx, route_mmio_gsi);
  if (!vector)
    return Err(vector.error());
  klib::format(mode, mode_size, "IRQ %u vector %u", gsi, *vector);
  return status_ok();
}

} // namespace virtio
