// Kernel variables that need no zeroing at boot: scratch buffers always written before they
// are read, and stacks. They go in .bss.noclear (kernel.ld), outside the range boot.S
// clears: under emulation clearing costs one emulated store per 8 bytes.
#pragma once

#define KERNEL_NOCLEAR __attribute__((section(".bss.noclear")))
