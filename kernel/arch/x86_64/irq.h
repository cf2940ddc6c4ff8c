// Device interrupts: the vector registry, I/O APIC routing of GSIs and ISA IRQs, and the
// path from a device vector to its handler. See docs/kernel-locking.md for what a top half
// may call.
//
// A device interrupt runs: handler(ctx) (the top half, interrupts off, on the interrupted
// thread's kernel stack or the idle loop's), then the LAPIC EOI, then the exit hook the
// scheduler installs (deferred work, waking, preemption of user mode). MSI/MSI-X message
// programming lives with PCI (drivers/pci.h: enable_msix/enable_msi).
//
// Level-triggered sources (INTx on `pc`, virtio-mmio on microvm): the top half must make
// the device drop its line (e.g. read/acknowledge its interrupt status) before returning,
// or mask_gsi() and unmask it later from deferred work; else the EOI re-raises it at once.
//
// A thread that sleeps until its device interrupts waits on a sched::WaitQueue with
// `interrupt_wakes = true` (sched/wait.h): otherwise, with every thread asleep and no timer
// armed, the idle loop takes the wait for a deadlock and stops the program.
#pragma once

#include "arch/x86_64/irq_table.h"
#include "arch/x86_64/user.h"
#include "lib/error_or.h"

#include <stdint.h>

namespace irq {

// A free device vector (0x30..0xEF) whose interrupts run handler(ctx); -EBUSY when none
// is left, -EINVAL without a handler, -ENODEV when the CPU has no local APIC. Callable at
// boot and from thread context (not from a top half).
ErrorOr<uint8_t> allocate(Handler handler, void* ctx, const char* name);
// Frees the vector. Mask or reprogram the source first: a late interrupt on a released
// vector is counted as unexpected and dropped.
void release(uint8_t vector);

// Programs the I/O APIC redirection entry of a global system interrupt to deliver `vector`
// to this CPU, fixed delivery, and unmasks it. -ENODEV when no I/O APIC serves that GSI.
Status route_gsi(uint32_t gsi, uint8_t vector, Trigger trigger, Polarity polarity);
// route_gsi for an ISA IRQ (or a PCI INTx line that firmware reported as an ISA IRQ on
// `pc`), through the MADT's interrupt source overrides: GSI, trigger and polarity from the
// override, else identity / edge / active high.
Status route_isa_irq(uint8_t isa_irq, uint8_t vector);
void mask_gsi(uint32_t gsi);
void unmask_gsi(uint32_t gsi);

// Shared lines (PCI INTx: on `pc` every device's pin ends on one of four link IRQs, on
// q35 on GSIs 16-23; microvm's virtio-mmio IRQs). attach_gsi adds handler(ctx) to the
// line of `gsi`: the first attach allocates the line's vector and routes it with this
// trigger and polarity, later ones join. Every interrupt of the line runs every attached
// handler in the order they came: each must check its own device and return quickly when
// it did not interrupt. Returns the line's vector; -EBUSY when no vector, line or handler
// slot is left, -EEXIST for a pair already attached, -EINVAL when the line is already set
// up with another trigger or polarity, -ENODEV without an I/O APIC for the GSI.
// detach_gsi removes the pair; the last one masks the GSI and frees the vector.
ErrorOr<uint8_t> attach_gsi(uint32_t gsi, Trigger trigger, Polarity polarity, Handler handler,
                            void* ctx, const char* name);
void detach_gsi(uint32_t gsi, Handler handler, void* ctx);
// attach_gsi / detach_gsi for an ISA IRQ (or a PCI INTx line that firmware reported as an
// ISA IRQ on `pc`), resolved through the MADT overrides as route_isa_irq does.
ErrorOr<uint8_t> attach_isa_irq(uint8_t isa_irq, Handler handler, void* ctx, const char* name);
void detach_isa_irq(uint8_t isa_irq, Handler handler, void* ctx);

// Interrupts dispatched to a vector so far (0 for a free one), and those that found no
// handler. For tests and diagnostics.
uint64_t count(uint8_t vector);
uint64_t unexpected_count();

// --- Wiring (arch and sched only) ---

// Entry from traps.cc for vectors kFirstStubVector..kLastDeviceVector.
void dispatch(arch::TrapFrame* frame);
// Called after every device interrupt's handler and EOI, with the interrupted frame:
// from_user false means the idle loop was interrupted (it re-checks everything itself).
using ExitHook = void (*)(arch::TrapFrame* frame, bool from_user);
void set_exit_hook(ExitHook hook);

} // namespace irq
