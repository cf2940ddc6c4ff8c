// Device discovery at boot: the drivers are registered, then each bus offers them what it
// finds. A new driver goes in drivers/ (virtio ones in drivers/virtio/) with a
// drivers::Driver describing its IDs and probe function, and one line in kDrivers below.
#include "drivers/devices.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/boot_internal.h"
#include "drivers/bus/driver.h"
#include "drivers/bus/pci_bus.h"
#include "drivers/bus/virtio_mmio_bus.h"
#include "drivers/nvme/nvme.h"
#include "drivers/virtio/device.h"
#include "drivers/virtio/drivers.h"
#include "drivers/xen/blkfront.h"
#include "drivers/xen/netfront.h"
#include "lib/kprintf.h"

namespace pci_drivers {

void init() {
  static const drivers::Driver* const kDrivers[] = {
      &virtio::blk_driver,
      &virtio::scsi_driver,
      &virtio::rng_driver,
      &virtio::net_driver,
      &xen_drivers::blkfront_driver,
      &xen_drivers::netfront_driver,
      &nvme::driver, // last: it is offered every PCI function and checks the class code
  };
  for (const drivers::Driver* d : kDrivers)
    if (!drivers::registry().add(*d))
      kprintf("drivers: cannot register %s\n", d->name);
  size_t pci_functions = drivers::scan_pci();
  drivers::scan_virtio_mmio(pci_functions != 0);
  xen_drivers::init(); // under Xen: the xenstore and the xenbus devices it lists
}

} // namespace pci_drivers

namespace drivers {
void start_interrupt_driven_io() {
  // Device interrupts need the LAPIC timer (without it the idle loop cannot halt until an
  // interrupt: it busy-waits to the next deadline). The scheduler probes the timer lazily,
  // when the program first sleeps or starts a second thread, because the probe costs ~1 ms
  // (up to 11 ms under plain TCG) of boot: until then the disk is polled, which is as fast
  // for one thread with nothing else to run. The probe keeps device interrupts blocked
  // while it runs, so it cannot be confused by one.
  arch::set_timer_ready_hook([] {
    virtio::finish_boot();
    xen_drivers::blkfront_interrupts_on();
    nvme::interrupts_on();
  });
}
} // namespace drivers
