// The vDSO's data page, shared by the kernel (which fills it at exec) and the vDSO code
// (which reads it in user mode). The clocks are the kernel's own: ktime's TSC conversion.
#pragma once

#include <stdint.h>

struct VdsoData {
  uint64_t boot_tsc;     // TSC at kernel entry: monotonic time 0
  uint64_t rtc_tsc;      // TSC when the RTC was read
  uint64_t boot_unix_ns; // wall clock at rtc_tsc
  uint64_t mul;          // ns = ((tsc - base) * mul) >> 32
};
