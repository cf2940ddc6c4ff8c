// The virtio-mmio transport (virtio 1.x §4.2): version 2, and version 1 (the legacy layout
// of §4.2.4, QEMU's default for virtio-*-device) with the ring at a page frame number.
#pragma once

#include "drivers/bus/mmio_cmdline.h"
#include "drivers/virtio/transport.h"

namespace virtio {

class MmioTransport final : public Transport {
public:
  // Registers of the slot; -ENODEV unless it holds a device (magic, version 1 or 2).
  static ErrorOr<Transport*> open(const drivers::MmioSlot& slot);
  // Reads the IDs of whatever device sits in the slot (0 = empty) without claiming it.
  static bool identify(const drivers::MmioSlot& slot, uint32_t* vendor, uint32_t* device);

  bool legacy() const override { return version_ == 1; }
  void reset() override { set_status(0); }
  uint8_t status() override;
  void set_status(uint8_t status) override;
  uint64_t device_features() override;
  void set_driver_features(uint64_t features) override;
  uint16_t max_queue_size(uint16_t index) override;
  Status enable_queue(uint16_t index, const Virtqueue& queue) override;
  void notify(uint16_t index) override;
  uint8_t config8(size_t offset) override;
  uint32_t config32(size_t offset) override;
  Status enable_interrupt(InterruptHandler handler, void* ctx) override;
  bool take_interrupt() override;
  const char* kind() const override { return version_ == 1 ? "mmio legacy" : "mmio"; }

protected:
  void write_location(char* buf, size_t size) const override;

private:
  volatile uint8_t* regs_ = nullptr;
  uint32_t version_ = 0;
  drivers::MmioSlot slot_;
};

} // namespace virtio
