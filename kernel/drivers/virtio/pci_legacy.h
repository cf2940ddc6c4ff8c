// The legacy virtio PCI transport (virtio 1.x §4.1.4.8 and the 0.9.5 layout it keeps):
// registers in I/O-port BAR 0, the queue at a page frame number, sizes fixed by the device.
// Used for transitional devices whose modern interface is off (disable-modern=on).
#pragma once

#include "drivers/pci.h"
#include "drivers/virtio/transport.h"

namespace virtio {

class PciLegacyTransport final : public Transport {
public:
  static ErrorOr<Transport*> open(const pci::Device& dev);

  bool legacy() const override { return true; }
  void reset() override { set_status(0); }
  uint8_t status() override;
  void set_status(uint8_t status) override;
  uint64_t device_features() override;
  void set_driver_features(uint64_t features) override;
  uint16_t max_queue_size(uint16_t index) override;
  bool queue_size_fixed() const override { return true; }
  Status enable_queue(uint16_t index, const Virtqueue& queue) override;
  void notify(uint16_t index) override;
  uint8_t config8(size_t offset) override;
  uint32_t config32(size_t offset) override;
  Status enable_interrupt(InterruptHandler handler, void* ctx) override;
  Status bind_queue_interrupt(uint16_t index) override;
  bool take_interrupt() override;
  const char* kind() const override { return "pci legacy"; }

protected:
  void write_location(char* buf, size_t size) const override;

private:
  uint16_t port(size_t offset) const { return static_cast<uint16_t>(io_ + offset); }
  // The device configuration moves 4 bytes up while MSI-X is enabled (two vector fields).
  // Drivers read their configuration at probe, before interrupts are enabled; this keeps
  // later reads right too.
  uint16_t config_port(size_t offset) const { return port((msix_ ? 24 : 20) + offset); }

  pci::Address addr_{};
  uint16_t io_ = 0;
  bool msix_ = false;
};

} // namespace virtio
