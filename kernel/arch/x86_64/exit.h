// Leaving the virtual machine.
#pragma once

enum : int {
  kExitKernelPanic = 126, // fatal kernel fault or panic (0x7E, as Nanos)
  kExitKernelHalt = 127,  // out of memory / halt (0x7F)
};

// Ends the VM with `code` (& 0xFF): with debug_exit set, writes it to QEMU's isa-debug-exit
// port 0x501 (QEMU exits (code << 1) | 1); otherwise, or if that device is absent, ACPI S5
// power-off, then 0x501 anyway (no ACPI), then keyboard-controller reset, then cli;hlt.
[[noreturn]] void machine_exit(int code);

// Whether machine_exit tries port 0x501 before ACPI. Defaults to true so that early boot
// failures reach the host as exit codes; unix sets it from the manifest's `debug_exit`.
void set_debug_exit(bool enabled);

// A platform's own way out (Xen: SCHEDOP_shutdown), tried first by machine_exit with the
// status (0-255). Must not return. Set once at boot by arch/x86_64/xen/platform.cc.
using MachineExitHook = void (*)(int code);
void set_machine_exit_hook(MachineExitHook hook);
