// The vDSO's data page, shared by the kernel (which fills it at exec) and the vDSO code
// (which reads it in user mode). The clocks are the kernel's own: ktime's TSC conversion.
#pragma once

#include <stdint.h>

// monotonic ns = base_ns + ((tsc - base_tsc) * mul) >> 32; realtime = monotonic +
// realtime_offset_ns. The kernel rewrites the fields when the clock's rate is refined
// (once, early) and changes `seq` around that: readers retry when seq moved meanwhile.
struct VdsoData {
  uint64_t seq;
  uint64_t base_tsc;
  uint64_t base_ns;
  uint64_t mul;
  uint64_t realtime_offset_ns;
};
