#include "sched/deferred.h"

namespace sched {
namespace {
// FIFO of queued items. Protected like all scheduler state: interrupts off on the one CPU.
Work* g_head = nullptr;
Work* g_tail = nullptr;
} // namespace

void defer(Work* w) {
  if (w->queued)
    return;
  w->queued = true;
  w->next = nullptr;
  if (g_tail)
    g_tail->next = w;
  else
    g_head = w;
  g_tail = w;
}

bool run_deferred() {
  if (!g_head)
    return false;
  while (Work* w = g_head) {
    g_head = w->next;
    if (!g_head)
      g_tail = nullptr;
    w->next = nullptr;
    w->queued = false;
    w->run(w);
  }
  return true;
}

bool deferred_pending() {
  return g_head != nullptr;
}

} // namespace sched
