// Converting between the clocks timers may be set on and the monotonic clock that
// sched::Timer runs on. The realtime clock is the RTC read at boot plus monotonic time and
// is never set, so the two differ by a constant.
#pragma once

#include "arch/x86_64/time.h"
#include "lib/error_or.h"

#include <stdint.h>

namespace unix {

constexpr int kClockRealtime = 0, kClockMonotonic = 1, kClockBoottime = 7,
              kClockRealtimeAlarm = 8, kClockBoottimeAlarm = 9;

// A CPU-time clock of a process or thread by id, as clock_getcpuclockid() and
// pthread_getcpuclockid() make them: a negative clockid holding ~id above three bits
// (bit 2: a thread, bits 0-1: 0 PROF, 1 VIRT, 2 SCHED; 3 is invalid). Id 0 means "self".
struct CpuClock {
  int id;
  bool thread;
};
inline bool decode_cpu_clock(int clock, CpuClock* out) {
  if (clock >= 0 || (clock & 3) == 3)
    return false;
  out->id = ~(clock >> 3); // arithmetic shift: the id's complement comes back whole
  out->thread = clock & 4;
  return true;
}

// Whether `clock` is a CPU-time clock of this program's process or of one of its live
// threads (sys_process.cc); -EINVAL otherwise, as Linux for an id that is gone.
Status check_cpu_clock(int clock);

// The clocks timerfd_create and timer_create accept.
inline bool timer_clock_ok(int clock) {
  return clock == kClockRealtime || clock == kClockMonotonic || clock == kClockBoottime ||
         clock == kClockRealtimeAlarm || clock == kClockBoottimeAlarm;
}
inline bool is_realtime(int clock) {
  return clock == kClockRealtime || clock == kClockRealtimeAlarm;
}
// Now on `clock`.
inline uint64_t clock_now(int clock) {
  return is_realtime(clock) ? ktime::realtime_ns() : ktime::monotonic_ns();
}
// An absolute time on `clock` as a monotonic time (at least 1: 0 means disarmed).
inline uint64_t to_monotonic(int clock, uint64_t abs_ns) {
  uint64_t mono = ktime::monotonic_ns(), now = clock_now(clock);
  uint64_t t = abs_ns >= now ? mono + (abs_ns - now) : (mono > now - abs_ns ? mono - (now - abs_ns) : 1);
  return t ? t : 1;
}

} // namespace unix
