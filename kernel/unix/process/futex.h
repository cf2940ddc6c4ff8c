// futex(2): the wait/wake primitive under every pthread mutex, condition variable, join
// and semaphore.
#pragma once

#include <stdint.h>

namespace unix {

// futex(2) itself is sys_futex (futex.cc, declared in syscall_handlers.h).

// Wakes up to n threads waiting on the futex word at uaddr (thread exit: the
// CLONE_CHILD_CLEARTID word and robust-list locks). Returns how many.
int futex_wake(uint64_t uaddr, int n);

} // namespace unix
