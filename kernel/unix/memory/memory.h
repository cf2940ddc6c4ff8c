// The program's memory: demand paging over the VMA map, and the mmap family of syscalls.
#pragma once

#include "lib/error_or.h"
#include "unix/memory/vm_map.h"

#include <stdint.h>

namespace unix {

// Adds a region (range must be free) -- pages appear on first touch. -ENOMEM when full.
Status map_region(const Vma& vma);
// Unmaps [start, end) (page-aligned): frees its pages and drops the VMAs. -ENOMEM when the
// VMA table has no room for a split.
Status unmap_range(uint64_t start, uint64_t end);
// Resolves a user page fault at addr (growing a MAP_GROWSDOWN region when the fault is just
// below one); false means SIGSEGV. Out of memory ends the program (signal 9, with a report).
bool fault_in(uint64_t addr, uint64_t error_code);

// A new anonymous region of len bytes (page-rounded) wherever mmap would put one: kernel
// objects that live in the program's memory (Linux AIO's ring header). -ENOMEM when full.
ErrorOr<uint64_t> map_anonymous(uint64_t len, unsigned prot);

// How Linux reports a user page fault that fault_in could not resolve: SIGBUS BUS_ADRERR for
// a page of a mapped file wholly past the file's end, SIGSEGV SEGV_ACCERR where a region is
// mapped but forbids the access, SEGV_MAPERR where nothing is mapped (kernel addresses too).
struct UnresolvedFault {
  int signal;
  int code;
};
UnresolvedFault classify_unresolved_fault(uint64_t addr);

// The mmap family of syscalls (mmap, munmap, mprotect, mremap, brk, madvise, mincore,
// msync) is defined in memory.cc; see syscall_handlers.h.

} // namespace unix
