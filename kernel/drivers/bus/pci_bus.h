// The PCI bus in the driver model: every function found by pci::enumerate is offered to
// the registry.
#pragma once

#include <stddef.h>

namespace drivers {
// Returns the number of functions found (0: the machine has no PCI, e.g. microvm).
size_t scan_pci();
} // namespace drivers
