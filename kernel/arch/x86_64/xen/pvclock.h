// Time under Xen: the shared info page's per-vCPU time record (the same pvclock format as
// KVM's) gives the TSC frequency Xen measured, and its wall clock gives the real time.
// PVH guests have no RTC, HPET or PIT to calibrate against.
#pragma once

#include <stdint.h>

namespace xen {

// The TSC frequency from vCPU 0's time record; 0 when not under Xen (or no record).
// Maps the shared info page on first use (needs the kernel's page allocator).
uint64_t tsc_hz();
// Nanoseconds since 1970 now, from Xen's wall clock; 0 when unknown.
uint64_t wallclock_unix_ns();

} // namespace xen
