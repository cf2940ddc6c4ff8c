// Device discovery at boot: the drivers are registered, then each bus offers them what it
// finds. A new driver goes in drivers/ (virtio ones in drivers/virtio/) with a
// drivers::Driver describing its IDs and probe function, and one line in kDrivers below.
#include "drivers/devices.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/boot_internal.h"
#include "drivers/bus/driver.h"
#include "drivers/bus/pci_bus.h"
#include "drivers/bus/virtio_mmio_bus.h"
#include "drivers/virtio/device.h"
#include "drivers/virtio/drivers.h"
#include "lib/kprintf.h"

namespace pci_drivers {

void init() {
  static const drivers::Driver* const kDrivers[] = {
      &virtio::blk_driver,
      &virtio::scsi_driver,
      &virtio::rng_driver,
  };
  for (const drivers::Driver* d : kDrivers)
    if (!drivers::registry().add(*d))
      kprintf("drivers: cannot register %s\n", d->name);
  size_t pci_functions = drivers::scan_pci();
  drivers::scan_virtio_mmio(pci_functions != 0);
  // xenbus would scan here (its devices come from the xenstore, not a probe of memory).
}

} // namespace pci_drivers

namespace drivers {
void start_interrupt_driven_io() {
  // The scheduler probes the LAPIC timer on first use, by waiting for one timer interrupt
  // in a short interrupt window; a device interrupt pending then (a virtio device signals
  // its first completion whatever the suppression fields say) has been seen to make that
  // probe fail, leaving the kernel without preemption. Probe now, while no device can
  // interrupt yet; the result is kept.
  // Without a timer the idle loop cannot halt until an interrupt (it busy-waits to the
  // next deadline, a request's minute): keep polling then.
  if (!arch::timer_init()) {
    kprintf("drivers: no usable LAPIC timer; devices stay polled\n");
    return;
  }
  virtio::finish_boot();
}
} // namespace drivers
