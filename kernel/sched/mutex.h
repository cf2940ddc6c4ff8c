// A sleeping mutex for thread context: state that stays half-changed across a sleep (a disk
// read or write inside a file-system operation) needs one, because "interrupts off" only
// protects code that does not give up the CPU (docs/kernel-locking.md).
//
// lock() sleeps on the mutex's WaitQueue while another thread holds it; unlock() hands it
// to the first waiter (FIFO hand-off, so no waiter starves). The wait is not ended by signals: the
// holder is in the middle of an operation that will finish, and a waiter that returned
// -EINTR could only spin, starving the holder on this non-preemptible kernel.
//
// Never from a top half, deferred work or a timer callback (they cannot sleep), and not
// recursive: taking it again from its owner stops the kernel (fs/fs_lock.h builds a
// recursive lock on top of it for the file system's nested calls).
#pragma once

#include "sched/wait.h"

namespace sched {

struct Thread;

struct Mutex {
  Thread* owner = nullptr; // private
  WaitQueue waiters;       // private
  const char* name = "mutex";
};

void lock(Mutex& m);
void unlock(Mutex& m); // the caller must be the owner
bool held_by_current(const Mutex& m);

} // namespace sched
