#include "drivers/bus/pci_bus.h"

#include "drivers/bus/driver.h"
#include "drivers/pci.h"
#include "lib/new.h"

namespace drivers {

size_t scan_pci() {
  size_t found = 0;
  pci::enumerate(
      [](const pci::Device& dev, void* ctx) {
        ++*static_cast<size_t*>(ctx);
        if (!registry().may_match(FoundDevice{Bus::kPci, dev.vendor, dev.device_id, &dev}))
          return; // no copy for the functions no driver wants (bridges, IDE, ACPI...)
        // Drivers keep bus_data, so it outlives the enumeration.
        auto* copy = new pci::Device(dev);
        if (!registry().attach(FoundDevice{Bus::kPci, dev.vendor, dev.device_id, copy}))
          delete copy;
      },
      &found);
  return found;
}

} // namespace drivers
