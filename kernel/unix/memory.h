// The program's memory: demand paging over the VMA map, and the mmap family of syscalls.
#pragma once

#include "unix/vm_map.h"

#include <stdint.h>

namespace unix {

// Adds a region (range must be free) -- pages appear on first touch. -ENOMEM when full.
int map_region(const Vma& vma);
// Unmaps [start, end) (page-aligned): frees its pages and drops the VMAs.
int unmap_range(uint64_t start, uint64_t end);
// Resolves a user page fault at addr (growing a MAP_GROWSDOWN region when the fault is just
// below one); false means SIGSEGV. Out of memory ends the program (signal 9, with a report).
bool fault_in(uint64_t addr, uint64_t error_code);

long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t offset);
long sys_munmap(uint64_t addr, uint64_t len);
long sys_mprotect(uint64_t addr, uint64_t len, int prot);
long sys_mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags,
                uint64_t new_addr);
long sys_brk(uint64_t addr);
long sys_madvise(uint64_t addr, uint64_t len, int advice);
long sys_mincore(uint64_t addr, uint64_t len, uint8_t* vec);
long sys_msync(uint64_t addr, uint64_t len, int flags);

} // namespace unix
