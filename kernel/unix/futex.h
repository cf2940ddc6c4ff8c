// futex(2): the wait/wake primitive under every pthread mutex, condition variable, join
// and semaphore.
#pragma once

#include <stdint.h>

namespace unix {

long sys_futex(uint64_t uaddr, int op, uint32_t val, uint64_t timeout_or_val2, uint64_t uaddr2,
               uint32_t val3);

// Wakes up to n threads waiting on the futex word at uaddr (thread exit: the
// CLONE_CHILD_CLEARTID word and robust-list locks). Returns how many.
int futex_wake(uint64_t uaddr, int n);

} // namespace unix
