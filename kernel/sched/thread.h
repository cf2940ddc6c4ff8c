// Kernel threads and the scheduler: one CPU, round-robin time slices, preemption of user
// mode by the local APIC timer. The kernel itself is not preemptible: it runs with
// interrupts off and gives up the CPU only in block_current()/yield()/exit_current() (and
// sched::wait, built on them). Every user thread of the program is one sched::Thread.
//
// Locking: all scheduler state (run queue, wait queues, timers, thread list) is protected
// by "interrupts off on the one CPU" -- the kernel lock. SMP would turn that into one
// spinlock taken on kernel entry and released on return to user / in the idle loop; no
// code here assumes more than that.
#pragma once

#include "arch/x86_64/user.h"
#include "lib/error_or.h"
#include "sched/wait.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {
struct Task;
}

namespace sched {

enum class ThreadState : uint8_t { kRunnable, kRunning, kWaiting, kDead };

struct Thread {
  ThreadState state = ThreadState::kRunning;
  Thread* queue_next = nullptr; // run queue or the WaitQueue it waits on
  Thread* all_next = nullptr;   // every thread that is not yet reaped
  // While waiting (sched::wait): the queue, the deadline, and how the wait ended.
  WaitQueue* waiting_on = nullptr;
  uint64_t deadline_ns = kNoDeadline;
  const char* what = nullptr;
  bool woken = false;
  // Machine state kept while not running.
  uint64_t kernel_rsp = 0;              // saved by context_switch
  uint64_t stack_bottom = 0, stack_top = 0;
  void* fpu = nullptr;                  // fpu_state_size() bytes, 64-byte aligned
  void* fpu_allocation = nullptr;
  uint64_t fs_base = 0, gs_base = 0;
  arch::TrapFrame* syscall_frame = nullptr;
  unix::Task* task = nullptr; // the unix layer's per-thread state
  void (*start)(void*) = nullptr;
  void* start_arg = nullptr;
};

// The running thread (the boot thread until the first switch). Inline: every system call
// asks, and under emulation each call instruction counts.
extern Thread* g_current;
inline Thread* current() {
  return g_current;
}

// A new thread that will run start(arg) on its own kernel stack (with a guard page) once
// made runnable. Its FPU state and FS/GS base start as copies of the caller's.
// -ENOMEM when out of memory.
ErrorOr<Thread*> create_thread(void (*start)(void*), void* arg);
void make_runnable(Thread* t);

// Gives the CPU to the next runnable thread, if any (sched_yield, end of a time slice).
void yield();

// The current thread, whose state the caller set to kWaiting (and queued somewhere),
// sleeps until make_runnable(). Meanwhile other threads run, or the CPU idles (sti; hlt)
// until the next timer or deadline. If every thread waits with no deadline and no timer is
// armed, prints "<what>: every thread would wait forever; stopping" and exits 127.
void block_current();

// Ends the current thread's wait early (a signal for it): it returns from sched::wait,
// which then reports -EINTR or 0. No effect if it is not waiting.
void interrupt_wait(Thread* t);

// Ends the current thread for good; its stack is freed after the switch away. The caller
// (unix exit) must not be the last thread.
[[noreturn]] void exit_current();

size_t live_threads();

// Monotonic time at which the current thread's slice ends (10 ms after it was picked).
constexpr uint64_t kTimeSliceNs = 10000000;

} // namespace sched
