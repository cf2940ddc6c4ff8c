#include "unix/time/interval_timer.h"

namespace unix {

uint64_t IntervalTimer::expire(uint64_t now) {
  if (!armed() || now < next_ns)
    return 0;
  if (interval_ns == 0) {
    disarm();
    return 1;
  }
  // Every period that started at or before `now` counts: missed ones are not lost.
  uint64_t count = 1 + (now - next_ns) / interval_ns;
  next_ns += count * interval_ns;
  return count;
}

} // namespace unix
