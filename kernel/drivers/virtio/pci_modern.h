// The virtio 1.x PCI transport (§4.1.4): structures found through vendor capabilities
// (common configuration, notifications, ISR, device configuration) in memory BARs.
#pragma once

#include "drivers/pci.h"
#include "drivers/virtio/transport.h"

namespace virtio {

class PciModernTransport final : public Transport {
public:
  // Finds the capabilities; -ENODEV if the function lacks one we need.
  static ErrorOr<Transport*> open(const pci::Device& dev);

  bool legacy() const override { return false; }
  void reset() override;
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
  Status bind_queue_interrupt(uint16_t index) override;
  bool take_interrupt() override;
  const char* kind() const override { return "pci"; }

protected:
  void write_location(char* buf, size_t size) const override;

private:
  static constexpr uint16_t kMaxQueues = 8;
  pci::Address addr_{};
  volatile uint8_t* common_ = nullptr;
  volatile uint8_t* notify_base_ = nullptr;
  uint32_t notify_multiplier_ = 0;
  volatile uint8_t* isr_ = nullptr;
  volatile uint8_t* device_ = nullptr;
  volatile uint8_t* queue_notify_[kMaxQueues] = {};
  bool msix_ = false;
};

} // namespace virtio
