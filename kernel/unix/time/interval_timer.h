// The arithmetic of a periodic timer (timerfd, setitimer, POSIX timers): when it fires
// next and how many expirations a moment in time has passed. Times are nanoseconds on one
// clock (the callers use the monotonic clock). Pure logic, unit-tested on the host.
#pragma once

#include <stdint.h>

namespace unix {

struct IntervalTimer {
  uint64_t next_ns = 0;     // next expiry; 0 = disarmed
  uint64_t interval_ns = 0; // period after the first expiry; 0 = one-shot

  bool armed() const { return next_ns != 0; }
  // Arms for a first expiry at `first_ns` (> 0) and then every interval_ns.
  void arm(uint64_t first_ns, uint64_t interval) {
    next_ns = first_ns;
    interval_ns = interval;
  }
  void disarm() { next_ns = interval_ns = 0; }
  // The expirations at or before `now` not counted yet; advances next_ns past now (or
  // disarms a one-shot timer).
  uint64_t expire(uint64_t now);
  // Time left until the next expiry (0 when disarmed or already due).
  uint64_t remaining(uint64_t now) const { return armed() && next_ns > now ? next_ns - now : 0; }
};

} // namespace unix
