#include "sched/mutex.h"

#include "lib/kprintf.h"
#include "sched/thread.h"
#include "sched/thread_queue.h"

namespace sched {

void lock(Mutex& m) {
  Thread* self = current();
  if (m.owner == self)
    panic("%s: taken twice by one thread", m.name);
  if (!m.owner) {
    m.owner = self;
    return;
  }
  // unlock() hands the mutex straight to the first waiter: were it only woken, the thread
  // that unlocked could take it again before the waiter runs (the kernel is not
  // preemptible), and a thread reading in a loop would starve the others.
  while (m.owner != self) {
    // As sched::wait, minus its signal checks (see mutex.h). A signal sent meanwhile makes
    // us runnable early (interrupt_wait takes us off the queue); we then queue again.
    self->state = ThreadState::kWaiting;
    self->waiting_on = &m.waiters;
    self->deadline_ns = kNoDeadline;
    self->what = m.name;
    self->woken = false;
    fifo_push(m.waiters, self);
    block_current();
  }
}

void unlock(Mutex& m) {
  if (m.owner != current())
    panic("%s: released by a thread that does not hold it", m.name);
  m.owner = m.waiters.head; // nullptr when nobody waits
  wake_one(m.waiters);
}

bool held_by_current(const Mutex& m) {
  return m.owner == current();
}

} // namespace sched
