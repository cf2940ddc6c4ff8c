// How a virtio driver reaches its device, whatever the transport (virtio 1.x §4): status,
// feature bits, queue setup, notifications, device configuration and the interrupt.
// Implementations: modern PCI (pci_modern.cc, §4.1.4 capabilities), legacy PCI
// (pci_legacy.cc, I/O port BAR 0, for transitional devices with modern access off) and
// virtio-mmio versions 1 and 2 (mmio.cc, §4.2). open_transport picks one for a device a
// bus found.
#pragma once

#include "drivers/bus/driver.h"
#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace virtio {

class Virtqueue;

enum : uint8_t {
  kStatusAcknowledge = 1,
  kStatusDriver = 2,
  kStatusDriverOk = 4,
  kStatusFeaturesOk = 8,
  kStatusFailed = 0x80,
};

// Transport-level feature bits (§6).
constexpr uint64_t kFeatureIndirectDesc = 1ull << 28;
constexpr uint64_t kFeatureEventIdx = 1ull << 29;
constexpr uint64_t kFeatureVersion1 = 1ull << 32;

// The virtio device types (§5) drivers match on.
enum : uint32_t { kDeviceNet = 1, kDeviceBlock = 2, kDeviceEntropy = 4, kDeviceScsi = 8 };

using InterruptHandler = void (*)(void* ctx);

class Transport {
public:
  virtual ~Transport() = default;

  // A device without VERSION_1 (legacy PCI, mmio version 1): no FEATURES_OK step, only
  // the low 32 feature bits, the ring at a page frame.
  virtual bool legacy() const = 0;
  virtual void reset() = 0;
  virtual uint8_t status() = 0;
  virtual void set_status(uint8_t status) = 0;
  virtual uint64_t device_features() = 0;
  virtual void set_driver_features(uint64_t features) = 0;

  // Largest size of queue `index` (0: no such queue), and whether the driver may only
  // use exactly that size (legacy PCI).
  virtual uint16_t max_queue_size(uint16_t index) = 0;
  virtual bool queue_size_fixed() const { return false; }
  // Hands the queue's memory to the device and enables it (with the interrupt vector, on
  // MSI-X).
  virtual Status enable_queue(uint16_t index, const Virtqueue& queue) = 0;
  virtual void notify(uint16_t index) = 0;

  // Device-specific configuration (§4.1.4.6, §4.2.2 offset 0x100).
  virtual uint8_t config8(size_t offset) = 0;
  virtual uint32_t config32(size_t offset) = 0;
  uint64_t config64(size_t offset) {
    return config32(offset) | static_cast<uint64_t>(config32(offset + 4)) << 32;
  }

  // Asks for an interrupt on queue completions: MSI-X if the function has it, else its
  // INTx line (PCI) or the IRQ the bus gave (mmio). -ENODEV when none can be had
  // (completions are then polled). Then bind_queue_interrupt for each enabled queue.
  virtual Status enable_interrupt(InterruptHandler handler, void* ctx) = 0;
  // With MSI-X: points the queue at the device's vector (table entry 0). Else nothing.
  virtual Status bind_queue_interrupt(uint16_t index) { return status_ok(); }
  // For the interrupt handler: whether this device raised it (reading the ISR or
  // InterruptStatus register also acknowledges it). Always true with MSI-X.
  virtual bool take_interrupt() = 0;

  // "MSI-X vector 34", "INTx IRQ 11 vector 35", "IRQ 12 vector 36" or "polled".
  const char* interrupt_mode() const { return mode_; }
  // Where the device is, for messages: "pci 00:03.0" or "mmio 0xfeb00e00". Written on
  // first use: boot prints it only with core.devices or on an error, and formatting it
  // for every device cost instructions at every boot.
  const char* location() const {
    if (!location_[0])
      write_location(location_, sizeof(location_));
    return location_;
  }
  // The transport's name for boot lines: "pci", "pci legacy", "mmio", "mmio legacy".
  virtual const char* kind() const = 0;

protected:
  // Writes location() (a NUL-terminated string, at most `size` bytes with the NUL).
  virtual void write_location(char* buf, size_t size) const = 0;

  char mode_[40] = "polled";
  mutable char location_[32] = "";
};

// The transport of a virtio device found on a bus; -ENODEV if it is unusable.
ErrorOr<Transport*> open_transport(const drivers::FoundDevice& dev);

// Maps a PCI virtio device ID to its virtio type: transitional 0x1000-0x103F (§4.1.2.3,
// subsystem ID = type; QEMU's transitional IDs are listed there) or modern 0x1040 + type.
uint32_t pci_device_type(uint16_t pci_device_id);

} // namespace virtio
