// The Xen PV block front-end (blkfront) and the xenbus glue of the Xen drivers.
#pragma once

#include "drivers/bus/driver.h"

namespace xen_drivers {
extern const drivers::Driver blkfront_driver; // blkfront.cc: block::Device per vbd

// Under Xen: connects the xenstore, publishes the exit status there at shutdown
// (exit_status.cc) and scans xenbus. Does nothing elsewhere.
void init();
} // namespace xen_drivers
