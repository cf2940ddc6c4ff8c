// The local APIC (this CPU's interrupt controller: EOI, its ID for MSI and I/O APIC
// destinations) and its timer. The timer raises one interrupt at a requested monotonic time (TSC-deadline mode when CPUID has it and it is seen to fire, else the
// one-shot count-down timer calibrated against the TSC).
#pragma once

#include "arch/x86_64/user.h"

#include <stdint.h>

namespace arch {

constexpr uint8_t kTimerVector = 0xF0;
constexpr uint8_t kSpuriousVector = 0xFF;

// Maps and software-enables the local APIC (no timer probe; cheap). False when the CPU has
// none. Idempotent; timer_init and the device interrupt registry (irq.cc) call it.
bool lapic_init();
// End of interrupt for the vector in service (every device vector and the timer).
void lapic_eoi();
// This CPU's local APIC ID (bits 31:24 of the ID register), for interrupt destinations.
uint8_t lapic_id();
// Raises `vector` on this CPU through the interrupt command register (a self-IPI: fixed
// delivery, edge). Taken once interrupts are enabled. For tests and soft interrupts.
void lapic_self_ipi(uint8_t vector);

// Maps and enables the local APIC and checks that its timer interrupt arrives (interrupts
// are enabled for at most a few milliseconds while probing). Returns false when no mode
// works; then there are no interrupts at all (callers busy-wait). Idempotent.
bool timer_init();
// Runs hook once the timer is known to work: at once if it already is, else right after the
// probe that finds it working (never if none does). The probe costs ~1-11 ms of boot under
// TCG, so it stays lazy (first sleep or second thread); what needs the timer waits for it.
void set_timer_ready_hook(void (*hook)());
bool timer_available();
// "tsc-deadline", "one-shot" or "none".
const char* timer_mode();

// Requests one timer interrupt at (or shortly after) the absolute ktime::monotonic_ns()
// time `deadline_ns`, replacing any earlier request; ~0 cancels. A deadline in the past
// fires at once.
void timer_program(uint64_t deadline_ns);

// Called from the interrupt path for kTimerVector (after the EOI) with the interrupted
// frame; from_user tells whether ring 3 was interrupted.
using TimerHandler = void (*)(TrapFrame* frame, bool from_user);
void set_timer_handler(TimerHandler handler);

// Interrupt entry (traps.cc): acknowledges the LAPIC and runs the handler.
void timer_interrupt(TrapFrame* frame);

// Enables interrupts and halts until one arrives, then disables them again (the idle loop:
// the kernel itself never runs with interrupts on). STI delays interrupt recognition by one
// instruction, so an interrupt pending before the STI wakes the HLT instead of being taken
// in between: a caller that checked its condition with interrupts off cannot miss a wakeup.
inline void wait_for_interrupt() {
  asm volatile("sti; hlt; cli" ::: "memory");
}

// Lets interrupts that are already pending in (a one-instruction window), for busy-wait
// loops that must still see device interrupts.
inline void take_pending_interrupts() {
  asm volatile("sti; nop; cli" ::: "memory");
}

} // namespace arch
