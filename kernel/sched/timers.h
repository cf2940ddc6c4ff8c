// Between wait.cc (which owns the kernel timer list) and scheduler.cc (which runs timers
// from the idle loop and the timer interrupt).
#pragma once

#include <stdint.h>

namespace sched {
// Earliest armed kernel timer, or kNoDeadline.
uint64_t next_timer_deadline();
// The same without housekeeping timers (Timer::housekeeping): what could end a wait.
uint64_t next_waking_timer_deadline();
// Runs the callbacks of every timer whose deadline is <= now.
void fire_expired_timers(uint64_t now);
// Makes sure a timer interrupt comes no later than deadline_ns (scheduler.cc).
void ensure_interrupt_by(uint64_t deadline_ns);
// wait() brackets a wait that has a deadline with these (scheduler.cc): while no thread
// waits with one, the scheduler skips its scans of every thread for expired deadlines.
void timed_wait_begins();
void timed_wait_ends();
} // namespace sched
