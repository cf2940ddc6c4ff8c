// Device discovery (devices.cc; its pci_drivers::init entry is declared for main.cc in
// arch/x86_64/boot_internal.h) and the switch to sleeping I/O.
#pragma once

namespace drivers {
// From now on a thread waiting for a device that has an interrupt sleeps until it comes.
// Called just before the unix layer starts: until then (driver probes, the kernel
// self-test, which runs in its own timer handler and keeps a kernel thread spinning in
// yield) nothing may rely on the scheduler's idle loop, so requests poll.
void start_interrupt_driven_io();
} // namespace drivers
