// Kernel-core internal initialisation entry points (not for other subsystems).
#pragma once

#include "mm/region_table.h"

#include <stdint.h>

namespace boot {
// Reads the boot path's memory map and command line (early page tables still active).
mm::MemoryMap& init(uint32_t path, uint64_t start_info_phys);
} // namespace boot

namespace arch {
void init_cpu(); // GDT, TSS, IDT, SYSCALL MSRs, FPU/SSE/XSAVE
void probe_syscall_path();
// Virtual addresses of the kernel-image pages to leave unmapped below each stack.
int stack_guard_pages(uint64_t* out,
                      int max); // after mm::init: SYSCALL or the trampoline (user.cc)
} // namespace arch

namespace mm {
void init(MemoryMap& map); // page allocator, kernel page tables, heap
} // namespace mm

namespace pci_drivers {
void init(); // enumerate PCI and attach drivers (virtio-blk)
} // namespace pci_drivers
