#include "drivers/virtio/transport.h"

#include "drivers/pci.h"
#include "drivers/virtio/mmio.h"
#include "drivers/virtio/pci_legacy.h"
#include "drivers/virtio/pci_modern.h"

namespace virtio {

uint32_t pci_device_type(uint16_t id) {
  if (id >= 0x1040 && id <= 0x107F)
    return id - 0x1040u;
  switch (id) { // transitional IDs (§4.1.2.1)
  case 0x1000:
    return kDeviceNet;
  case 0x1001:
    return kDeviceBlock;
  case 0x1004:
    return kDeviceScsi;
  case 0x1005:
    return kDeviceEntropy;
  default:
    return 0;
  }
}

ErrorOr<Transport*> open_transport(const drivers::FoundDevice& dev) {
  switch (dev.bus) {
  case drivers::Bus::kPci: {
    const auto& pdev = *static_cast<const pci::Device*>(dev.bus_data);
    pci::enable_device(pdev.addr);
    auto modern = PciModernTransport::open(pdev);
    // A transitional device (ID below 0x1040) with its modern interface off still has
    // the legacy one.
    if (modern || pdev.device_id >= 0x1040)
      return modern;
    return PciLegacyTransport::open(pdev);
  }
  case drivers::Bus::kVirtioMmio:
    return MmioTransport::open(*static_cast<const drivers::MmioSlot*>(dev.bus_data));
  case drivers::Bus::kXenbus:
    break;
  }
  return Err(-ENODEV);
}

} // namespace virtio
