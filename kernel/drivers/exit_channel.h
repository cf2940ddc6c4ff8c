// The exact-exit-status channel under QEMU: a second 16550 UART (COM2, I/O port 0x2F8) that
// nanos-run connects to a file and reads after the VM has ended. At exit the kernel writes
// one exit record (drivers/exit_record.h) to it, so the host gets the full 8-bit status and
// tells a program's exit, a death by signal and a kernel panic apart -- which the 7 bits of
// isa-debug-exit cannot. Without the UART (older runners, other hypervisors) nothing is
// written and isa-debug-exit alone carries the status, as before.
#pragma once

namespace exit_channel {

// Probes COM2 and, when a UART answers, registers the exit reporter (arch/x86_64/exit.h).
// Polled, no interrupts: safe from the first moments of boot.
void init();

} // namespace exit_channel
