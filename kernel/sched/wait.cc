// Single-thread implementation of sched/wait.h: with one thread, a wait can only end by
// its deadline, by a timer whose callback wakes the queue, or by a pending signal. The
// thread busy-waits (interrupts are off) up to the earliest of its deadline and the armed
// timers. Replaced by the scheduler when threads arrive.
#include "sched/wait.h"

#include "arch/x86_64/time.h"
#include "lib/errno.h"
#include "lib/kprintf.h"
#include "unix/exit.h"
#include "unix/signal.h"

namespace sched {
namespace {

Timer* g_timers = nullptr; // sorted by deadline
WaitQueue g_io_events;
bool g_woken = false; // the one thread was woken from the queue it waits on
WaitQueue* g_waiting_on = nullptr;

void fire_expired(uint64_t now) {
  while (g_timers && g_timers->deadline_ns <= now) {
    Timer* t = g_timers;
    g_timers = t->next;
    t->next = nullptr;
    t->armed = false;
    t->fire(t);
  }
}

} // namespace

int wait(WaitQueue& q, uint64_t deadline_ns, const char* what) {
  g_waiting_on = &q;
  g_woken = false;
  for (;;) {
    if (unix::signal_wakes_wait()) {
      g_waiting_on = nullptr;
      return -EINTR;
    }
    uint64_t next = deadline_ns;
    if (g_timers && g_timers->deadline_ns < next)
      next = g_timers->deadline_ns;
    if (next == kNoDeadline) {
      kprintf("%s: every thread would wait forever; stopping\n", what);
      unix::exit_program(unix::kExitDeadlock);
    }
    uint64_t now = ktime::monotonic_ns();
    if (next > now)
      ktime::delay_ns(next - now);
    now = ktime::monotonic_ns();
    fire_expired(now);
    if (g_woken) {
      g_waiting_on = nullptr;
      return 0;
    }
    if (now >= deadline_ns) {
      g_waiting_on = nullptr;
      return -ETIMEDOUT;
    }
  }
}

void wake_one(WaitQueue& q) {
  if (g_waiting_on == &q)
    g_woken = true;
}

void wake_all(WaitQueue& q) {
  wake_one(q);
}

WaitQueue& io_events() {
  return g_io_events;
}

void timer_arm(Timer* t, uint64_t deadline_ns) {
  timer_cancel(t);
  t->deadline_ns = deadline_ns;
  t->armed = true;
  Timer** p = &g_timers;
  while (*p && (*p)->deadline_ns <= deadline_ns)
    p = &(*p)->next;
  t->next = *p;
  *p = t;
}

void timer_cancel(Timer* t) {
  if (!t->armed)
    return;
  for (Timer** p = &g_timers; *p; p = &(*p)->next) {
    if (*p == t) {
      *p = t->next;
      break;
    }
  }
  t->next = nullptr;
  t->armed = false;
}

} // namespace sched
