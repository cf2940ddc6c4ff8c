#include "drivers/virtio/pci_legacy.h"

#include "arch/x86_64/cpu.h"
#include "drivers/virtio/interrupts.h"
#include "drivers/virtio/virtqueue.h"
#include "lib/format.h"
#include "lib/new.h"

namespace virtio {
namespace {
// Legacy register block (I/O space).
enum : size_t {
  kHostFeatures = 0,
  kGuestFeatures = 4,
  kQueueAddress = 8, // page frame number of the ring (4 KiB pages)
  kQueueSize = 12,
  kQueueSelect = 14,
  kQueueNotify = 16,
  kDeviceStatus = 18,
  kIsrStatus = 19,
  kConfigVector = 20, // only while MSI-X is enabled
  kQueueVector = 22,
};
constexpr uint16_t kNoVector = 0xFFFF;
} // namespace

ErrorOr<Transport*> PciLegacyTransport::open(const pci::Device& dev) {
  pci::Bar bar = pci::read_bar(dev.addr, 0);
  if (!bar.io || !bar.address)
    return Err(-ENODEV);
  auto* t = new PciLegacyTransport;
  t->addr_ = dev.addr;
  t->io_ = static_cast<uint16_t>(bar.address);
  return static_cast<Transport*>(t);
}

void PciLegacyTransport::write_location(char* buf, size_t size) const {
  klib::format(buf, size, "pci %02x:%02x.%x", addr_.bus, addr_.device, addr_.function);
}

uint8_t PciLegacyTransport::status() {
  return cpu::inb(port(kDeviceStatus));
}

void PciLegacyTransport::set_status(uint8_t s) {
  cpu::outb(port(kDeviceStatus), s);
}

uint64_t PciLegacyTransport::device_features() {
  return cpu::inl(port(kHostFeatures));
}

void PciLegacyTransport::set_driver_features(uint64_t f) {
  cpu::outl(port(kGuestFeatures), static_cast<uint32_t>(f));
}

uint16_t PciLegacyTransport::max_queue_size(uint16_t index) {
  cpu::outw(port(kQueueSelect), index);
  return cpu::inw(port(kQueueSize));
}

Status PciLegacyTransport::enable_queue(uint16_t index, const Virtqueue& q) {
  cpu::outw(port(kQueueSelect), index);
  if (cpu::inw(port(kQueueSize)) != q.size())
    return Err(-EINVAL);
  cpu::outl(port(kQueueAddress), static_cast<uint32_t>(q.desc_phys() >> 12));
  return status_ok();
}

void PciLegacyTransport::notify(uint16_t index) {
  cpu::outw(port(kQueueNotify), index);
}

uint8_t PciLegacyTransport::config8(size_t offset) {
  return cpu::inb(config_port(offset));
}

uint32_t PciLegacyTransport::config32(size_t offset) {
  return cpu::inl(config_port(offset));
}

Status PciLegacyTransport::enable_interrupt(InterruptHandler handler, void* ctx) {
  auto mode = enable_pci_interrupt(addr_, handler, ctx, mode_, sizeof(mode_));
  if (!mode)
    return Err(mode.error());
  msix_ = *mode == PciInterrupt::kMsix;
  if (msix_)
    cpu::outw(port(kConfigVector), kNoVector);
  return status_ok();
}

Status PciLegacyTransport::bind_queue_interrupt(uint16_t index) {
  if (!msix_)
    return status_ok();
  cpu::outw(port(kQueueSelect), index);
  cpu::outw(port(kQueueVector), 0);
  return cpu::inw(port(kQueueVector)) == 0 ? status_ok() : Status(Err(-EIO));
}

bool PciLegacyTransport::take_interrupt() {
  if (msix_)
    return true;
  return cpu::inb(port(kIsrStatus)) != 0; // the read acknowledges
}

} // namespace virtio
