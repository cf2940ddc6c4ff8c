#include "drivers/virtio/mmio.h"

#include "drivers/virtio/interrupts.h"
#include "drivers/virtio/mmio_access.h"
#include "drivers/virtio/virtqueue.h"
#include "lib/format.h"
#include "lib/new.h"
#include "mm/vm.h"

namespace virtio {
namespace {
// Register offsets (§4.2.2; the version 1 ones from §4.2.4).
enum : size_t {
  kMagic = 0x000,
  kVersion = 0x004,
  kDeviceId = 0x008,
  kVendorId = 0x00C,
  kDeviceFeatures = 0x010,
  kDeviceFeaturesSel = 0x014,
  kDriverFeatures = 0x020,
  kDriverFeaturesSel = 0x024,
  kGuestPageSize = 0x028, // v1
  kQueueSel = 0x030,
  kQueueNumMax = 0x034,
  kQueueNum = 0x038,
  kQueueAlign = 0x03C, // v1
  kQueuePfn = 0x040,   // v1
  kQueueReady = 0x044, // v2
  kQueueNotify = 0x050,
  kInterruptStatus = 0x060,
  kInterruptAck = 0x064,
  kStatus = 0x070,
  kQueueDescLow = 0x080,
  kQueueDriverLow = 0x090,
  kQueueDeviceLow = 0x0A0,
  kConfig = 0x100,
};
constexpr uint32_t kMagicValue = 0x74726976; // "virt"
constexpr size_t kRegisterBytes = 0x200;

volatile uint8_t* map_slot(const drivers::MmioSlot& slot) {
  return static_cast<volatile uint8_t*>(mm::map_mmio(slot.phys, kRegisterBytes));
}
} // namespace

bool MmioTransport::identify(const drivers::MmioSlot& slot, uint32_t* vendor, uint32_t* device) {
  volatile uint8_t* r = map_slot(slot);
  uint32_t version = reg_read<uint32_t>(r, kVersion);
  if (reg_read<uint32_t>(r, kMagic) != kMagicValue || (version != 1 && version != 2))
    return false;
  *vendor = reg_read<uint32_t>(r, kVendorId);
  *device = reg_read<uint32_t>(r, kDeviceId);
  return *device != 0; // 0: a transport with no device behind it
}

ErrorOr<Transport*> MmioTransport::open(const drivers::MmioSlot& slot) {
  uint32_t vendor, device;
  if (!identify(slot, &vendor, &device))
    return Err(-ENODEV);
  auto* t = new MmioTransport;
  t->slot_ = slot;
  t->regs_ = map_slot(slot);
  t->version_ = reg_read<uint32_t>(t->regs_, kVersion);
  return static_cast<Transport*>(t);
}

void MmioTransport::write_location(char* buf, size_t size) const {
  if (slot_.has_irq)
    klib::format(buf, size, "mmio %#lx irq %u", static_cast<unsigned long>(slot_.phys), slot_.irq);
  else
    klib::format(buf, size, "mmio %#lx", static_cast<unsigned long>(slot_.phys));
}

uint8_t MmioTransport::status() {
  return static_cast<uint8_t>(reg_read<uint32_t>(regs_, kStatus));
}

void MmioTransport::set_status(uint8_t s) {
  reg_write<uint32_t>(regs_, kStatus, s);
}

uint64_t MmioTransport::device_features() {
  reg_write<uint32_t>(regs_, kDeviceFeaturesSel, 0);
  uint64_t low = reg_read<uint32_t>(regs_, kDeviceFeatures);
  if (version_ == 1)
    return low;
  reg_write<uint32_t>(regs_, kDeviceFeaturesSel, 1);
  return low | static_cast<uint64_t>(reg_read<uint32_t>(regs_, kDeviceFeatures)) << 32;
}

void MmioTransport::set_driver_features(uint64_t f) {
  reg_write<uint32_t>(regs_, kDriverFeaturesSel, 0);
  reg_write<uint32_t>(regs_, kDriverFeatures, static_cast<uint32_t>(f));
  if (version_ == 1) {
    reg_write<uint32_t>(regs_, kGuestPageSize, 4096);
    return;
  }
  reg_write<uint32_t>(regs_, kDriverFeaturesSel, 1);
  reg_write<uint32_t>(regs_, kDriverFeatures, static_cast<uint32_t>(f >> 32));
}

uint16_t MmioTransport::max_queue_size(uint16_t index) {
  reg_write<uint32_t>(regs_, kQueueSel, index);
  uint32_t max = reg_read<uint32_t>(regs_, kQueueNumMax);
  return static_cast<uint16_t>(max > 0x8000 ? 0x8000 : max);
}

Status MmioTransport::enable_queue(uint16_t index, const Virtqueue& q) {
  reg_write<uint32_t>(regs_, kQueueSel, index);
  reg_write<uint32_t>(regs_, kQueueNum, q.size());
  if (version_ == 1) {
    reg_write<uint32_t>(regs_, kQueueAlign, 4096);
    reg_write<uint32_t>(regs_, kQueuePfn, static_cast<uint32_t>(q.desc_phys() >> 12));
    return status_ok();
  }
  auto write64 = [this](size_t low, uint64_t v) {
    reg_write<uint32_t>(regs_, low, static_cast<uint32_t>(v));
    reg_write<uint32_t>(regs_, low + 4, static_cast<uint32_t>(v >> 32));
  };
  write64(kQueueDescLow, q.desc_phys());
  write64(kQueueDriverLow, q.avail_phys());
  write64(kQueueDeviceLow, q.used_phys());
  reg_write<uint32_t>(regs_, kQueueReady, 1);
  return status_ok();
}

void MmioTransport::notify(uint16_t index) {
  reg_write<uint32_t>(regs_, kQueueNotify, index);
}

uint8_t MmioTransport::config8(size_t offset) {
  return reg_read<uint8_t>(regs_, kConfig + offset);
}

uint32_t MmioTransport::config32(size_t offset) {
  return reg_read<uint32_t>(regs_, kConfig + offset);
}

Status MmioTransport::enable_interrupt(InterruptHandler handler, void* ctx) {
  if (!slot_.has_irq)
    return Err(-ENODEV); // a fixed slot found by probing: its IRQ is unknown
  return enable_gsi_interrupt(slot_.irq, handler, ctx, mode_, sizeof(mode_));
}

bool MmioTransport::take_interrupt() {
  uint32_t pending = reg_read<uint32_t>(regs_, kInterruptStatus);
  if (pending)
    reg_write<uint32_t>(regs_, kInterruptAck, pending);
  return pending != 0;
}

} // namespace virtio
