// sched/wait.h on top of the scheduler: a waiting thread sleeps (other threads run, or the
// CPU idles until the next timer/deadline) instead of busy-waiting.
#include "sched/wait.h"

#include "arch/x86_64/time.h"
#include "lib/errno.h"
#include "sched/hooks.h"
#include "sched/thread.h"
#include "sched/thread_queue.h"
#include "sched/timer_list.h"
#include "sched/timers.h"

namespace sched {
namespace {
TimerList g_timers;
WaitQueue g_io_events;
} // namespace

int wait(WaitQueue& q, uint64_t deadline_ns, const char* what) {
  if (upper_hooks().signal_wakes_wait())
    return -EINTR;
  if (deadline_ns != kNoDeadline && ktime::monotonic_ns() >= deadline_ns)
    return -ETIMEDOUT;
  Thread* t = current();
  t->state = ThreadState::kWaiting;
  t->waiting_on = &q;
  t->deadline_ns = deadline_ns;
  t->what = what;
  t->woken = false;
  fifo_push(q, t);
  bool timed = deadline_ns != kNoDeadline;
  if (timed)
    timed_wait_begins();
  block_current();
  if (timed)
    timed_wait_ends();
  // Whoever made us runnable (wake, deadline, signal) already unlinked us from q.
  t->deadline_ns = kNoDeadline;
  if (t->woken)
    return 0;
  if (upper_hooks().signal_wakes_wait())
    return -EINTR;
  if (deadline_ns != kNoDeadline && ktime::monotonic_ns() >= deadline_ns)
    return -ETIMEDOUT;
  return 0; // ended for a signal the caller may be waiting for itself: re-check
}

void wake_one(WaitQueue& q) {
  if (Thread* t = fifo_pop(q)) {
    t->waiting_on = nullptr;
    t->woken = true;
    make_runnable(t);
  }
}

void wake_all(WaitQueue& q) {
  while (q.head)
    wake_one(q);
}

WaitQueue& io_events() {
  return g_io_events;
}

void timer_arm(Timer* t, uint64_t deadline_ns) {
  g_timers.remove(t);
  g_timers.insert(t, deadline_ns);
  ensure_interrupt_by(deadline_ns);
}

void timer_cancel(Timer* t) {
  g_timers.remove(t);
}

uint64_t next_timer_deadline() {
  return g_timers.next_deadline();
}

uint64_t next_waking_timer_deadline() {
  return g_timers.next_waking_deadline();
}

void fire_expired_timers(uint64_t now) {
  while (Timer* t = g_timers.pop_expired(now))
    t->fire(t);
}

} // namespace sched
