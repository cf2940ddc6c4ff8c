// Blocking and kernel timers: the one interface every syscall that waits goes through.
//
// Rules (the kernel is non-preemptible: kernel code runs with interrupts off and is only
// left at these calls or on return to user mode; device interrupts wake threads from their
// top half or deferred work, sched/deferred.h):
//  - A syscall that must wait loops: check its condition; if not met, call wait() on the
//    queue that announces changes of that condition; re-check after every return of 0.
//  - Whoever changes such a condition calls wake_all()/wake_one() on its queue.
//  - Any change of file-descriptor readiness (data in a pipe, an eventfd count, a timerfd
//    expiry, a socket peer closing...) also calls wake_all(io_events()): poll, select and
//    epoll wait there and re-scan. Simple and correct for a handful of threads.
//  - Timer callbacks run in kernel context with interrupts off; they may wake queues and
//    re-arm timers, never block.
#pragma once

#include <stdint.h>

namespace sched {

struct Thread;

constexpr uint64_t kNoDeadline = ~0ull;

// An intrusive FIFO of waiting threads. Zero-initialised storage is an empty queue.
struct WaitQueue {
  Thread* head = nullptr;
  Thread* tail = nullptr;
  // Set by drivers whose interrupt (top half or deferred work) wakes this queue: a wait
  // here with no deadline is then not reported as a deadlock, and the idle loop halts
  // until the device interrupts.
  bool interrupt_wakes = false;
};

// Blocks the calling thread until it is woken from `q` (returns 0), the absolute
// monotonic deadline `deadline_ns` (ktime::monotonic_ns() clock; kNoDeadline: none)
// passes (-ETIMEDOUT), or a signal the thread does not block becomes pending (-EINTR).
// `what` names the wait for the deadlock report: when every thread waits with no deadline
// and no timer is armed, nothing can ever wake any of them, so the kernel prints
// "<what>: every thread would wait forever; stopping" and exits 127.
int wait(WaitQueue& q, uint64_t deadline_ns, const char* what);

// Wakes the first / every thread waiting on q (no effect on an empty queue). Callable from
// a top half and from deferred work (see docs/kernel-locking.md): on the one CPU, kernel
// code runs with interrupts off, so an interrupt only ever arrives in user mode or in the
// idle loop's `sti; hlt`, where no scheduler structure is half-updated. With SMP, the
// queue and the run queue get a spinlock taken with interrupts off.
void wake_one(WaitQueue& q);
void wake_all(WaitQueue& q);

// Woken on every change of descriptor readiness (see above).
WaitQueue& io_events();

// A one-shot kernel timer. Embed it in the object it belongs to; zero-initialised storage
// is a disarmed timer.
struct Timer {
  uint64_t deadline_ns = 0;
  void (*fire)(Timer* t) = nullptr; // called once the deadline passed (timer then disarmed)
  Timer* next = nullptr;            // private
  bool armed = false;               // private
  // A periodic kernel chore (a device watchdog, the network's tick, DHCP renewal) that by
  // itself ends no thread's wait: the deadlock report ignores it, so a program whose
  // threads all wait forever is still stopped while such timers stay armed.
  bool housekeeping = false;
};
// (Re)arms t at an absolute monotonic deadline; replaces an earlier arming.
void timer_arm(Timer* t, uint64_t deadline_ns);
void timer_cancel(Timer* t);

} // namespace sched
