// Deferred work ("bottom halves"): what a top half leaves for later, run in thread context
// with the interrupted work already put aside.
//
// When it runs: the scheduler runs every queued item (oldest first)
//  - on the way out of a device interrupt that arrived in user mode, after the handler and
//    the EOI, on the interrupted thread's kernel stack (before the return to user mode, or
//    before a switch to the thread the work woke);
//  - in the idle loop, right after the `hlt` that the interrupt ended, before it looks for a
//    runnable thread.
// Interrupts arrive nowhere else (kernel code runs with them off), so an item queued by a
// top half never waits longer than that interrupt's return path.
//
// What it may do: everything a kernel timer callback may (wake_one/wake_all, make a thread
// runnable, arm timers, touch driver state, defer more work) -- it runs with interrupts
// off like all kernel code -- but never block: it has no thread of its own. Work that must
// sleep wakes a kernel thread that does it.
#pragma once

namespace sched {

struct Work {
  void (*run)(Work*); // called once per defer() that queued it
  Work* next;         // private
  bool queued;        // private: true from defer() until run is called
};

// Queues w to run soon (see above) unless it is already queued: deferring twice before it
// runs runs it once. Callable from a top half. w must stay valid until it has run.
void defer(Work* w);

// --- For the scheduler ---

// Runs every queued item, including those queued meanwhile; false when none was queued.
// Each item is unqueued before its run is called, so run may defer it again.
bool run_deferred();
bool deferred_pending();

} // namespace sched
