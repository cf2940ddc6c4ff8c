// Clocks: TSC-based monotonic time (frequency from kvmclock under KVM, CPUID leaf 0x15
// when present, else calibrated against the PIT, or the RTC's periodic flag without a PIT) and the CMOS RTC wall clock read at boot.
#pragma once

#include <stdint.h>

namespace ktime {
void init();
uint64_t monotonic_ns(); // since kernel entry
uint64_t realtime_ns();  // Unix time: RTC at boot + monotonic
uint64_t tsc_hz();
// TSC → nanoseconds since kernel entry, for boot-timing stamps taken with cpu::rdtsc().
uint64_t tsc_to_ns(uint64_t tsc);
// Busy-waits (interrupts are off in this kernel).
void delay_ns(uint64_t ns);
// The conversion behind monotonic_ns/realtime_ns, for the vDSO's data page:
// monotonic = ((tsc - boot_tsc) * mul) >> 32, realtime = boot_unix_ns + ((tsc - rtc_tsc) *
// mul) >> 32.
void vdso_clock(uint64_t* boot_tsc, uint64_t* rtc_tsc, uint64_t* boot_unix_ns, uint64_t* mul);
// Where the TSC frequency came from: "kvmclock", "cpuid", "pit", "rtc" or "guess".
const char* clock_source();
} // namespace ktime

// Boot-timing stamps (raw TSC; convert with ktime::tsc_to_ns, which counts from entry):
// read by the very first kernel instruction (both boot paths)...
extern "C" uint64_t boot_tsc_at_entry;
// ...and when the machine side is up, just before unix::start().
extern uint64_t boot_tsc_core_ready;
