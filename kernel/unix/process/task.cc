// The program's threads as the unix layer sees them: which Task is running, and lookup by
// tid (tgkill, get_robust_list).
#include "sched/thread.h"
#include "unix/process/process.h"

namespace unix {

Task& adopt_boot_thread() {
  sched::Thread* t = sched::current();
  Process& p = process();
  p.main_task.thread = t;
  t->task = &p.main_task;
  return *t->task;
}

Task* find_task(int tid) {
  for (Task* t = process().tasks; t; t = t->next)
    if (t->tid == tid)
      return t;
  return nullptr;
}

} // namespace unix
