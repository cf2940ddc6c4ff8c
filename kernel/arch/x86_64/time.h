// Clocks: TSC-based monotonic time (frequency from kvmclock under KVM, CPUID leaf 0x15
// when present, else calibrated against the PIT, or the RTC's periodic flag without a
// PIT) and the CMOS RTC wall clock read at boot.
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
// The TSC value at which monotonic_ns() reaches ns (TSC-deadline timers).
uint64_t ns_to_tsc(uint64_t ns);

// The conversion behind monotonic_ns/realtime_ns, also copied to the vDSO's data page:
// monotonic = base_ns + ((tsc - base_tsc) * mul) >> 32, realtime = monotonic +
// realtime_offset_ns. `seq` changes whenever the conversion does.
struct ClockParams {
  uint64_t seq, base_tsc, base_ns, mul, realtime_offset_ns;
};
const ClockParams& clock_params();

// An HPET- or PIT-calibrated rate is first a short-window estimate (a fraction of a
// percent), refined against the same counter by the first kernel clock read 40 ms (PIT:
// 10-50 ms) after boot. poll_calibration() is
// that check alone, for paths that read no clock (every system call runs it): cheap, and
// a no-op once refined or with another clock source.
void poll_calibration();
// The first rate (kHz precision is plenty for reports): the estimate for "pit", else the rate.
uint64_t initial_tsc_hz();
// Where the TSC frequency came from: "kvmclock", "cpuid", "hpet", "pit", "rtc" or "guess".
const char* clock_source();
} // namespace ktime

// Boot-timing stamps (raw TSC; convert with ktime::tsc_to_ns, which counts from entry):
// read by the very first kernel instruction (both boot paths)...
extern "C" uint64_t boot_tsc_at_entry;
// ...and when the machine side is up, just before unix::start().
extern uint64_t boot_tsc_core_ready;
