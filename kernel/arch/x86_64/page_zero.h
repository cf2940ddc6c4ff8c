// Zeroing whole pages, the kernel's most frequent memory loop (anonymous memory, page
// tables, the tail of file pages).
//
// Under kvm-pvm the kernel's instructions are emulated and `rep stosq` runs one 8-byte
// iteration at a time: about 180 us for a page (measured). FXSAVE of an all-zero FPU state
// writes 416 bytes in one emulated instruction: about 35 us for a page. That path is used
// only when the kernel runs emulated (the SYSCALL probe found the trampoline) and only
// after a boot-time check that it zeroes exactly the page it is given; everywhere else
// (hardware, TCG) `rep stosq` is the faster one.
#pragma once

#include <stddef.h>

namespace arch {

// Chooses the method; after mm::init and probe_syscall_path. Until then zero_pages uses
// `rep stosq`.
void init_page_zero();
// Zeroes `count` pages from `page` (page aligned, kernel memory). Interrupts must be off
// (it borrows the FPU registers, saving and restoring the user's).
void zero_pages(void* page, size_t count);
// "fxsave" or "stosq", for the boot report.
const char* page_zero_method();

} // namespace arch
