#include "drivers/bus/virtio_mmio_bus.h"

#include "arch/x86_64/boot_info.h"
#include "drivers/bus/driver.h"
#include "drivers/bus/mmio_cmdline.h"
#include "drivers/virtio/mmio.h"
#include "lib/new.h"

namespace drivers {
namespace {

constexpr size_t kMaxSlots = 32;
// QEMU microvm: 24 transports (with its second I/O APIC, the default) 512 bytes apart,
// transport n wired to GSI 24 + n (the second I/O APIC's pins). QEMU adds them to the
// command line only for Linux bzImage kernels, not for a PVH ELF like ours.
constexpr uint64_t kMicrovmBase = 0xFEB00000;
constexpr size_t kMicrovmSlots = 24;
constexpr uint32_t kMicrovmFirstGsi = 24;

void offer(const MmioSlot& slot) {
  uint32_t vendor, device;
  if (!virtio::MmioTransport::identify(slot, &vendor, &device))
    return;
  auto* copy = new MmioSlot(slot); // drivers keep bus_data
  if (!registry().attach(FoundDevice{Bus::kVirtioMmio, vendor, device, copy}))
    delete copy;
}

} // namespace

void scan_virtio_mmio(bool machine_has_pci) {
  MmioSlot slots[kMaxSlots];
  size_t n = parse_mmio_cmdline(boot::info().cmdline, slots, kMaxSlots);
  for (size_t i = 0; i < n; ++i)
    offer(slots[i]);
  if (n || machine_has_pci)
    return;
  for (size_t i = 0; i < kMicrovmSlots; ++i) {
    MmioSlot slot;
    slot.phys = kMicrovmBase + 512 * i;
    slot.size = 512;
    slot.irq = kMicrovmFirstGsi + static_cast<uint32_t>(i);
    slot.has_irq = true;
    offer(slot);
  }
}

} // namespace drivers
