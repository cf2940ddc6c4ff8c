#include "sched/timer_list.h"

namespace sched {

void TimerList::insert(Timer* t, uint64_t deadline_ns) {
  t->deadline_ns = deadline_ns;
  t->armed = true;
  Timer** p = &head;
  while (*p && (*p)->deadline_ns <= deadline_ns)
    p = &(*p)->next;
  t->next = *p;
  *p = t;
}

void TimerList::remove(Timer* t) {
  if (!t->armed)
    return;
  for (Timer** p = &head; *p; p = &(*p)->next) {
    if (*p == t) {
      *p = t->next;
      break;
    }
  }
  t->next = nullptr;
  t->armed = false;
}

Timer* TimerList::pop_expired(uint64_t now) {
  if (!head || head->deadline_ns > now)
    return nullptr;
  Timer* t = head;
  head = t->next;
  t->next = nullptr;
  t->armed = false;
  return t;
}

} // namespace sched
