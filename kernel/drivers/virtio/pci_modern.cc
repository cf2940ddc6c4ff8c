#include "drivers/virtio/pci_modern.h"

#include "arch/x86_64/cpu.h"
#include "drivers/virtio/interrupts.h"
#include "drivers/virtio/mmio_access.h"
#include "drivers/virtio/virtqueue.h"
#include "lib/format.h"
#include "lib/new.h"
#include "mm/vm.h"

namespace virtio {
namespace {

constexpr uint8_t kCapVendor = 0x09;
// virtio_pci_cap.cfg_type (§4.1.4).
enum : uint8_t { kCapCommon = 1, kCapNotify = 2, kCapIsr = 3, kCapDevice = 4 };
// Common configuration (§4.1.4.3).
enum : size_t {
  kDeviceFeatureSelect = 0,
  kDeviceFeature = 4,
  kDriverFeatureSelect = 8,
  kDriverFeature = 12,
  kConfigMsixVector = 16,
  kDeviceStatus = 20,
  kQueueSelect = 22,
  kQueueSize = 24,
  kQueueMsixVector = 26,
  kQueueEnable = 28,
  kQueueNotifyOff = 30,
  kQueueDesc = 32,
  kQueueDriver = 40,
  kQueueDevice = 48,
};
constexpr uint16_t kNoVector = 0xFFFF;

} // namespace

ErrorOr<Transport*> PciModernTransport::open(const pci::Device& dev) {
  auto* t = new PciModernTransport;
  t->addr_ = dev.addr;
  for (uint8_t cap = 0; (cap = pci::find_capability(dev.addr, kCapVendor, cap)) != 0;) {
    uint8_t type = pci::read8(dev.addr, static_cast<uint8_t>(cap + 3));
    uint8_t bar_index = pci::read8(dev.addr, static_cast<uint8_t>(cap + 4));
    uint32_t offset = pci::read32(dev.addr, static_cast<uint8_t>(cap + 8));
    uint32_t length = pci::read32(dev.addr, static_cast<uint8_t>(cap + 12));
    if (bar_index > 5 || type < kCapCommon || type > kCapDevice)
      continue;
    bool io = false;
    uint64_t bar = pci::bar_address(dev.addr, bar_index, &io);
    if (io || !bar)
      continue;
    // The first capability of each type is the preferred one (§4.1.4).
    volatile uint8_t** slot = type == kCapCommon   ? &t->common_
                              : type == kCapNotify ? &t->notify_base_
                              : type == kCapIsr    ? &t->isr_
                                                   : &t->device_;
    if (*slot)
      continue;
    *slot = static_cast<volatile uint8_t*>(mm::map_mmio(bar + offset, length));
    if (type == kCapNotify)
      t->notify_multiplier_ = pci::read32(dev.addr, static_cast<uint8_t>(cap + 16));
  }
  if (!t->common_ || !t->notify_base_ || !t->isr_) {
    delete t;
    return Err(-ENODEV);
  }
  return static_cast<Transport*>(t);
}

void PciModernTransport::write_location(char* buf, size_t size) const {
  klib::format(buf, size, "pci %02x:%02x.%x", addr_.bus, addr_.device, addr_.function);
}

void PciModernTransport::reset() {
  set_status(0);
  // The device finishes its reset when it reads back 0 (§4.1.4.3.2).
  for (int i = 0; i < 1000000 && status() != 0; ++i)
    cpu::pause();
}

uint8_t PciModernTransport::status() {
  return reg_read<uint8_t>(common_, kDeviceStatus);
}

void PciModernTransport::set_status(uint8_t s) {
  reg_write<uint8_t>(common_, kDeviceStatus, s);
}

uint64_t PciModernTransport::device_features() {
  reg_write<uint32_t>(common_, kDeviceFeatureSelect, 0);
  uint64_t low = reg_read<uint32_t>(common_, kDeviceFeature);
  reg_write<uint32_t>(common_, kDeviceFeatureSelect, 1);
  return low | static_cast<uint64_t>(reg_read<uint32_t>(common_, kDeviceFeature)) << 32;
}

void PciModernTransport::set_driver_features(uint64_t f) {
  reg_write<uint32_t>(common_, kDriverFeatureSelect, 0);
  reg_write<uint32_t>(common_, kDriverFeature, static_cast<uint32_t>(f));
  reg_write<uint32_t>(common_, kDriverFeatureSelect, 1);
  reg_write<uint32_t>(common_, kDriverFeature, static_cast<uint32_t>(f >> 32));
}

uint16_t PciModernTransport::max_queue_size(uint16_t index) {
  if (index >= kMaxQueues)
    return 0;
  reg_write<uint16_t>(common_, kQueueSelect, index);
  return reg_read<uint16_t>(common_, kQueueSize);
}

Status PciModernTransport::enable_queue(uint16_t index, const Virtqueue& q) {
  if (index >= kMaxQueues)
    return Err(-EINVAL);
  reg_write<uint16_t>(common_, kQueueSelect, index);
  reg_write<uint16_t>(common_, kQueueSize, q.size());
  // 64-bit fields as two 32-bit halves: QEMU's common configuration takes at most 4 bytes.
  auto write64 = [this](size_t off, uint64_t v) {
    reg_write<uint32_t>(common_, off, static_cast<uint32_t>(v));
    reg_write<uint32_t>(common_, off + 4, static_cast<uint32_t>(v >> 32));
  };
  write64(kQueueDesc, q.desc_phys());
  write64(kQueueDriver, q.avail_phys());
  write64(kQueueDevice, q.used_phys());
  uint16_t off = reg_read<uint16_t>(common_, kQueueNotifyOff);
  queue_notify_[index] = notify_base_ + static_cast<size_t>(off) * notify_multiplier_;
  reg_write<uint16_t>(common_, kQueueEnable, 1);
  return status_ok();
}

void PciModernTransport::notify(uint16_t index) {
  reg_write<uint16_t>(queue_notify_[index], 0, index);
}

uint8_t PciModernTransport::config8(size_t offset) {
  return device_ ? reg_read<uint8_t>(device_, offset) : 0;
}

uint32_t PciModernTransport::config32(size_t offset) {
  return device_ ? reg_read<uint32_t>(device_, offset) : 0;
}

Status PciModernTransport::enable_interrupt(InterruptHandler handler, void* ctx) {
  auto mode = enable_pci_interrupt(addr_, handler, ctx, mode_, sizeof(mode_));
  if (!mode)
    return Err(mode.error());
  msix_ = *mode == PciInterrupt::kMsix;
  if (msix_)
    reg_write<uint16_t>(common_, kConfigMsixVector, kNoVector); // no config-change interrupts
  return status_ok();
}

Status PciModernTransport::bind_queue_interrupt(uint16_t index) {
  if (!msix_)
    return status_ok();
  // Every queue signals through MSI-X table entry 0; the device answers NO_VECTOR if it
  // could not take it (§4.1.5.1.2).
  reg_write<uint16_t>(common_, kQueueSelect, index);
  reg_write<uint16_t>(common_, kQueueMsixVector, 0);
  return reg_read<uint16_t>(common_, kQueueMsixVector) == 0 ? status_ok() : Status(Err(-EIO));
}

bool PciModernTransport::take_interrupt() {
  if (msix_)
    return true;
  return reg_read<uint8_t>(isr_, 0) != 0; // the read acknowledges (§4.1.4.5)
}

} // namespace virtio
