// The NVMe driver (NVM Express over PCI, class 01h/08h/02h): the first active namespace of
// each controller as a block::Device.
#pragma once

#include "drivers/bus/driver.h"

namespace nvme {
extern const drivers::Driver driver; // disk.cc
// Once the LAPIC timer works (drivers::start_interrupt_driven_io): each controller's I/O
// completion queue gets its MSI-X vector and waiters sleep until it fires instead of polling.
void interrupts_on();
} // namespace nvme
