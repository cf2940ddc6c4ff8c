// Attaches drivers to PCI functions at boot.
#include "arch/x86_64/boot_internal.h"
#include "drivers/pci.h"
#include "drivers/virtio_blk.h"

namespace pci_drivers {
void init() {
  pci::enumerate(
      [](const pci::Device& dev, void*) {
        if (virtio_blk::matches(dev))
          virtio_blk::probe(dev);
      },
      nullptr);
}
} // namespace pci_drivers
