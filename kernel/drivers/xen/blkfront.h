// The Xen PV block front-end (blkfront) and the xenbus glue of the Xen drivers.
#pragma once

#include "drivers/bus/driver.h"

namespace xen_drivers {
extern const drivers::Driver blkfront_driver; // blkfront.cc: block::Device per vbd

// init.cc, under Xen: connects the xenstore, installs the exit-status hook, sets up the
// grant table and event upcall, and scans xenbus. Does nothing elsewhere.
void init();
// exit_status.cc: publishes the exit status in the xenstore when the machine stops.
void install_exit_status();
// Once the LAPIC timer works: disk waits sleep until the back-end's event instead of polling.
void blkfront_interrupts_on();
} // namespace xen_drivers
