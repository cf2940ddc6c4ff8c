// The armed kernel timers (sched::Timer), kept sorted by deadline; equal deadlines fire in
// the order they were armed. Pure logic (host-tested); wait.cc owns the one list.
#pragma once

#include "sched/wait.h"

namespace sched {

struct TimerList {
  Timer* head = nullptr;

  // Inserts t (which must be disarmed) at its deadline.
  void insert(Timer* t, uint64_t deadline_ns);
  // Unlinks t if armed; disarms it.
  void remove(Timer* t);
  // Earliest deadline, or kNoDeadline when empty.
  uint64_t next_deadline() const { return head ? head->deadline_ns : kNoDeadline; }
  // Earliest deadline of a timer that is not housekeeping, or kNoDeadline.
  uint64_t next_waking_deadline() const {
    for (Timer* t = head; t; t = t->next)
      if (!t->housekeeping)
        return t->deadline_ns;
    return kNoDeadline;
  }
  // Unlinks and disarms the first timer if its deadline is <= now; nullptr otherwise.
  Timer* pop_expired(uint64_t now);
};

} // namespace sched
