// The driver model: buses find devices, drivers claim them by ID.
//
// A bus (bus/pci_bus.cc, bus/virtio_mmio_bus.cc; xenbus would be a third) describes each
// device it finds as a FoundDevice and hands it to attach(), which offers it to every
// registered driver whose ID table matches, in registration order, until one probe
// succeeds. A driver is a name, an ID table and a probe function; it is listed once in
// drivers/devices.cc. Nothing here touches hardware, so matching is host-tested.
#pragma once

#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace drivers {

enum class Bus : uint8_t { kPci, kVirtioMmio, kXenbus };

constexpr uint32_t kAnyId = 0xFFFFFFFF;

// What a driver accepts. PCI: vendor and device ID. virtio-mmio: the VendorID and
// DeviceID registers (the virtio device type). xenbus: device = the frontend's type.
struct DeviceId {
  Bus bus;
  uint32_t vendor; // or kAnyId
  uint32_t device; // or kAnyId
};

// A device a bus found. `bus_data` is the bus's own description (const pci::Device* on PCI,
// const MmioSlot* on virtio-mmio), for the probe function to reach the hardware.
struct FoundDevice {
  Bus bus;
  uint32_t vendor;
  uint32_t device;
  const void* bus_data;
};

struct Driver {
  const char* name;
  const DeviceId* ids;
  size_t id_count;
  // Initialises the device and makes it available (block::register_disk...). An error
  // leaves the device to the next matching driver.
  Status (*probe)(const FoundDevice& dev);
};

bool matches(const Driver& driver, const FoundDevice& dev);

// The drivers known to the kernel, in the order they are offered devices.
class Registry {
public:
  static constexpr size_t kMaxDrivers = 16;
  Status add(const Driver& driver); // -ENOSPC when full, -EEXIST if already added
  // Offers `dev` to the matching drivers; returns the one that took it, or nullptr.
  const Driver* attach(const FoundDevice& dev) const;
  // False when no driver can match `dev` (true does not promise a match): one bit test on
  // a summary of the drivers' device IDs, so a bus turns away the many functions no
  // driver here wants before it copies their description or walks every ID table.
  bool may_match(const FoundDevice& dev) const { return (device_filter_ >> (dev.device & 63)) & 1; }
  size_t count() const { return count_; }

private:
  const Driver* drivers_[kMaxDrivers] = {};
  size_t count_ = 0;
  uint64_t device_filter_ = 0; // bit (device & 63) of every ID; all bits for kAnyId
};

// The kernel's registry (filled by devices.cc before the buses scan).
Registry& registry();

} // namespace drivers
