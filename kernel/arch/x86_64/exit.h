// Leaving the virtual machine, with a report of why: the one way out for the program's exit,
// its death by a signal, and the kernel's own failures.
#pragma once

#include <stdint.h>

enum : int {
  kExitKernelPanic = 126, // fatal kernel fault or panic (0x7E, as Nanos)
  kExitKernelHalt = 127,  // out of memory, deadlock: the kernel stopped (0x7F)
};

// Why the VM ends. The host tells these apart only through a reporter (below): the
// isa-debug-exit code alone (debug_exit_code) mixes them up and keeps only 7 bits.
struct ExitReport {
  enum class Kind : uint8_t {
    kProgramExit,    // exit()/exit_group() or return from main: status 0..255
    kKilledBySignal, // the program died of signal `status` (1..64)
    kKernelPanic,    // the kernel gave up: status kExitKernelPanic or kExitKernelHalt
  };
  Kind kind;
  int status;
};

// What a shell would report for `report` (128+N for signal N), truncated to the 8 bits
// isa-debug-exit takes.
constexpr uint8_t debug_exit_code(const ExitReport& report) {
  if (report.kind == ExitReport::Kind::kKilledBySignal)
    return static_cast<uint8_t>(128 + report.status);
  return static_cast<uint8_t>(report.status);
}

// A platform's channel to the host (a second serial port under QEMU, Xen's own path...).
// Called with interrupts off, once, before the VM is stopped; must not allocate or block
// for long. Registration order is call order.
using ExitReporter = void (*)(const ExitReport& report);
// Returns false when the (small, fixed) table is full.
bool add_exit_reporter(ExitReporter reporter);

// Ends the VM: runs the reporters, then (with debug_exit set) writes debug_exit_code to QEMU's
// isa-debug-exit port 0x501 (QEMU exits (code << 1) | 1); otherwise, or if that device is
// absent, ACPI S5 power-off, then 0x501 anyway (no ACPI), then keyboard-controller reset,
// then cli;hlt.
[[noreturn]] void machine_exit(const ExitReport& report);

// The kernel's own exits, for code that has no program to speak of.
[[noreturn]] inline void kernel_panic_exit(int status = kExitKernelPanic) {
  machine_exit({ExitReport::Kind::kKernelPanic, status});
}

// Whether machine_exit tries port 0x501 before ACPI. Defaults to true so that early boot
// failures reach the host as exit codes; unix sets it from the manifest's `debug_exit`.
void set_debug_exit(bool enabled);

// A platform's own way out (Xen: SCHEDOP_shutdown), tried by machine_exit after the
// reporters, before the QEMU ways out. Must not return. Set once at boot by
// arch/x86_64/xen/platform.cc.
using MachineExitHook = void (*)(const ExitReport& report);
void set_machine_exit_hook(MachineExitHook hook);
