// The scheduler: run queue, context switches, the idle loop, the timer interrupt (time
// slices, preemption of user mode, deadlines), the way out of device interrupts (deferred
// work, preemption for woken threads) and thread creation/reaping.
#include "arch/x86_64/apic.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/time.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "sched/deferred.h"
#include "sched/hooks.h"
#include "sched/thread.h"
#include "sched/thread_queue.h"
#include "sched/timers.h"

extern "C" void context_switch(uint64_t* save_rsp, uint64_t next_rsp);
extern "C" void thread_trampoline();

namespace sched {
namespace {

constexpr size_t kStackBytes = 32 * 1024;

Thread g_boot_thread; // runs the unix layer's start and then the program's main thread
} // namespace

Thread* g_current = &g_boot_thread;

namespace {
Thread* g_all = &g_boot_thread; // every unreaped thread, through all_next
Fifo<Thread> g_run_queue;
Fifo<Thread> g_zombies; // exited, stack still possibly in use until the next switch
size_t g_live = 1;
bool g_initialised = false;
uint64_t g_slice_end = 0;
uint64_t g_programmed = kNoDeadline; // the armed timer interrupt (see program_interrupt)
// Threads inside a sched::wait() that has a deadline (see timed_wait_begins): when none
// is, no thread's deadline can pass, and the per-switch scans below are skipped.
size_t g_timed_waits = 0;
// A thread was made runnable since the running one got the CPU: the next device interrupt
// from user mode hands the CPU over instead of waiting for the end of the slice.
bool g_woken_since_switch = false;

// Stacks of reaped threads, for reuse (kernel stack mappings are never torn down). The
// link lives in the free stack itself.
struct FreeStack {
  FreeStack* next;
};
FreeStack* g_free_stacks = nullptr;

void* alloc_fpu_area(void** allocation) {
  *allocation = kmalloc(arch::fpu_state_size() + 64);
  if (!*allocation)
    return nullptr;
  return reinterpret_cast<void*>((reinterpret_cast<uint64_t>(*allocation) + 63) & ~63ull);
}

void on_timer(arch::TrapFrame* frame, bool from_user);
void on_device_interrupt(arch::TrapFrame* frame, bool from_user);

// Installed while constructors run (the first thing kernel_entry does), before any device
// vector can be allocated: no interrupt ever finds the hook missing.
[[maybe_unused]] const bool g_device_hook_installed =
    (irq::set_exit_hook(on_device_interrupt), true);
// Likewise the timer's handler: a kernel timer armed before the first thread switch (a
// NIC's watchdog, armed at probe) has its interrupt arrive in user mode, and without the
// handler that interrupt would be dropped and the timer never re-programmed.
[[maybe_unused]] const bool g_timer_handler_installed = (arch::set_timer_handler(on_timer), true);

void ensure_init() {
  if (g_initialised)
    return;
  g_initialised = true;
  g_boot_thread.stack_bottom = arch::kernel_stack_bottom();
  g_boot_thread.stack_top = arch::kernel_stack_top();
  g_boot_thread.fpu = alloc_fpu_area(&g_boot_thread.fpu_allocation);
  if (!g_boot_thread.fpu)
    panic("out of memory for the boot thread's FPU area");
  arch::set_timer_handler(on_timer);
}

bool timer_usable() {
  return arch::timer_init(); // probes once, then answers from memory
}

// Requests the timer interrupt by deadline_ns (kNoDeadline: none wanted). The timer is only
// ever moved earlier: an interrupt already armed for an earlier moment stays armed instead
// of being cancelled or postponed; when it fires early, on_timer() and the idle loop find
// nothing due and arm the real next event. Two threads that hand the CPU back and forth
// through futexes or pipes would otherwise re-arm the LAPIC timer twice a switch (the end
// of the slice when the other becomes runnable, then the next kernel timer or nothing once
// it runs): 4 timer writes a round trip, each one host timer work under an emulator. Now
// it is written about once per time slice, for one spurious interrupt per slice.
void program_interrupt(uint64_t deadline_ns) {
  if (deadline_ns >= g_programmed)
    return;
  g_programmed = deadline_ns;
  arch::timer_program(deadline_ns);
}

// Earliest moment something sleeping could become runnable: a kernel timer or a wait's
// deadline. (A linear scan: a handful of threads.)
uint64_t earliest_event() {
  uint64_t next = next_timer_deadline();
  if (!g_timed_waits)
    return next;
  for (Thread* t = g_all; t; t = t->all_next)
    if (t->state == ThreadState::kWaiting && t->deadline_ns < next)
      next = t->deadline_ns;
  return next;
}

// The interrupt wanted before returning to the running thread: the next event, and the end
// of its slice when someone else is waiting for the CPU.
void reprogram() {
  uint64_t next = earliest_event();
  if (g_run_queue.head && g_slice_end < next)
    next = g_slice_end;
  if (next != kNoDeadline && !timer_usable())
    return;
  program_interrupt(next);
}

// Fires expired kernel timers and ends waits whose deadline passed.
void run_expired(uint64_t now) {
  fire_expired_timers(now);
  if (!g_timed_waits)
    return;
  for (Thread* t = g_all; t; t = t->all_next) {
    if (t->state != ThreadState::kWaiting || t->deadline_ns > now)
      continue;
    if (t->waiting_on)
      fifo_remove(*t->waiting_on, t);
    t->waiting_on = nullptr;
    make_runnable(t);
  }
}

// Frees what exited threads held, now that none of them is running.
void reap_zombies() {
  for (Thread* z = g_zombies.head; z;) {
    Thread* next = z->queue_next;
    if (z == g_current) { // still on its stack (idled after exiting): next time
      z = next;
      continue;
    }
    fifo_remove(g_zombies, z);
    for (Thread** p = &g_all; *p; p = &(*p)->all_next) {
      if (*p == z) {
        *p = z->all_next;
        break;
      }
    }
    kfree(z->fpu_allocation);
    // Every stack is at least kStackBytes (the boot thread's is 64 KiB): all reusable.
    auto* fs = reinterpret_cast<FreeStack*>(z->stack_bottom);
    fs->next = g_free_stacks;
    g_free_stacks = fs;
    if (z != &g_boot_thread) { // the main thread may exit first; its record is static
      z->~Thread();
      kfree(z);
    }
    z = next;
  }
}

// now: ktime::monotonic_ns() as the caller read it (one clock read per switch).
void switch_to(Thread* next, uint64_t now) {
  Thread* prev = g_current;
  next->state = ThreadState::kRunning;
  g_slice_end = now + kTimeSliceNs;
  g_woken_since_switch = false;
  if (next == prev)
    return;
  // The kernel never touches the FPU, so the live state is the user state of prev.
  arch::fpu_save(prev->fpu);
  prev->fs_base = arch::fs_base();
  prev->gs_base = arch::gs_base();
  prev->syscall_frame = arch::current_syscall_frame();
  g_current = next;
  arch::set_kernel_stack(next->stack_bottom, next->stack_top);
  arch::fpu_restore(next->fpu);
  arch::set_fs_base(next->fs_base);
  if (next->gs_base != prev->gs_base) // user GS is nearly always 0 in every thread
    arch::set_gs_base(next->gs_base);
  arch::set_current_syscall_frame(next->syscall_frame);
  context_switch(&prev->kernel_rsp, next->kernel_rsp);
  // Back in prev, switched to by someone else.
  if (g_zombies.head)
    reap_zombies();
}

[[noreturn]] void report_deadlock() {
  const char* what = g_current->state == ThreadState::kWaiting ? g_current->what : nullptr;
  for (Thread* t = g_all; !what && t; t = t->all_next)
    if (t->state == ThreadState::kWaiting)
      what = t->what;
  kprintf("%s: every thread would wait forever; stopping\n", what ? what : "wait");
  upper_hooks().deadlock();
  panic("the deadlock hook returned");
}

// A waiting thread that a device interrupt (top half or deferred work) may wake: its wait
// has no deadline, yet it is no deadlock.
bool device_may_wake_someone() {
  for (Thread* t = g_all; t; t = t->all_next)
    if (t->state == ThreadState::kWaiting && t->waiting_on && t->waiting_on->interrupt_wakes)
      return true;
  return false;
}

// Nothing but housekeeping timers (Timer::housekeeping) is armed and no waiting thread has
// a deadline: no event can end any wait.
bool no_wait_can_end() {
  if (next_waking_timer_deadline() != kNoDeadline)
    return false;
  for (Thread* t = g_all; t; t = t->all_next)
    if (t->state == ThreadState::kWaiting && t->deadline_ns != kNoDeadline)
      return false;
  return true;
}

// No timer interrupt (rare: the LAPIC timer never fired): waits for `next` by polling the
// clock, opening a one-instruction interrupt window each round so devices still get in.
void idle_without_timer(uint64_t next, bool device_wait) {
  if (!device_wait) {
    ktime::delay_ns(next - ktime::monotonic_ns());
    return;
  }
  while (ktime::monotonic_ns() < next && !deferred_pending() && !g_run_queue.head)
    arch::take_pending_interrupts();
}

// Nothing runnable: sleep until the next timer, deadline or device interrupt. Runs with
// interrupts off from the caller's checks up to the `sti; hlt` pair, which takes an
// interrupt that arrived meanwhile as soon as the halt begins: no wakeup is lost.
void idle() {
  uint64_t next = earliest_event();
  bool device_wait = device_may_wake_someone();
  if (!device_wait && no_wait_can_end())
    report_deadlock();
  if (next != kNoDeadline && next <= ktime::monotonic_ns())
    return;
  if (next != kNoDeadline && !timer_usable()) {
    idle_without_timer(next, device_wait);
    return;
  }
  program_interrupt(next); // kNoDeadline: no timer interrupt, only the device's
  arch::wait_for_interrupt();
}

// Picks the next thread to run; the current one is already queued (yield), waiting or dead.
void schedule() {
  for (;;) {
    run_deferred(); // what a top half left while we idled
    uint64_t now = ktime::monotonic_ns();
    run_expired(now);
    if (Thread* next = fifo_pop(g_run_queue)) {
      switch_to(next, now);
      reprogram();
      return;
    }
    idle();
  }
}

void on_timer(arch::TrapFrame* frame, bool from_user) {
  g_programmed = kNoDeadline; // this interrupt was the one requested
  if (!from_user)
    return; // the idle loop: it looks at timers and deadlines itself
  uint64_t now = ktime::monotonic_ns();
  run_expired(now);
  if (g_run_queue.head && now >= g_slice_end) {
    // Preemption: the interrupted user thread goes to the back of the run queue.
    g_current->state = ThreadState::kRunnable;
    fifo_push(g_run_queue, g_current);
    schedule();
  } else {
    reprogram();
  }
  // Whoever returns to user mode here takes its pending signals first.
  upper_hooks().before_user_return(frame);
}

// After a device interrupt's top half and EOI. In user mode: run the deferred work, and if
// a thread was woken (by it or earlier) and waits for the CPU, switch to it now -- a thread
// that slept on I/O gets its completion at once, not at the end of the running slice.
// Interrupting the idle loop needs nothing here: schedule() re-checks after the hlt.
void on_device_interrupt(arch::TrapFrame* frame, bool from_user) {
  if (!from_user)
    return;
  run_deferred();
  if (g_woken_since_switch && g_run_queue.head) {
    g_current->state = ThreadState::kRunnable;
    fifo_push(g_run_queue, g_current);
    schedule();
  }
  upper_hooks().before_user_return(frame);
}

void thread_entry(void* arg) {
  auto* t = static_cast<Thread*>(arg);
  reap_zombies();
  reprogram(); // what schedule() does after a switch, for a thread that starts here
  t->start(t->start_arg);
  panic("a thread's start function returned");
}

uint64_t take_stack() {
  if (FreeStack* fs = g_free_stacks) {
    g_free_stacks = fs->next;
    return reinterpret_cast<uint64_t>(fs);
  }
  return mm::alloc_kernel_stack(kStackBytes);
}

} // namespace

size_t live_threads() {
  return g_live;
}

ErrorOr<Thread*> create_thread(void (*start)(void*), void* arg) {
  ensure_init();
  void* mem = kzalloc(sizeof(Thread));
  if (!mem)
    return Err(-ENOMEM);
  auto* t = new (mem) Thread;
  t->fpu = alloc_fpu_area(&t->fpu_allocation);
  uint64_t stack = t->fpu ? take_stack() : 0;
  if (!stack) {
    kfree(t->fpu_allocation);
    kfree(mem);
    return Err(-ENOMEM);
  }
  t->stack_bottom = stack;
  t->stack_top = stack + kStackBytes;
  arch::fpu_save(t->fpu); // starts with the creator's FPU/SSE state, as clone does
  t->fs_base = arch::fs_base();
  t->gs_base = arch::gs_base();
  t->start = start;
  t->start_arg = arg;
  t->state = ThreadState::kRunnable;
  // The first switch to t "returns" into thread_trampoline with rbx = thread_entry and
  // r12 = t (the callee-saved registers context_switch pops), rsp 16-byte aligned there.
  // The top 512 bytes stay free: return_to_user copies the first user frame there, and it
  // must not overlap the frames of the code doing the copy.
  auto* sp = reinterpret_cast<uint64_t*>(t->stack_top - 512);
  sp -= 2; // alignment padding
  *--sp = reinterpret_cast<uint64_t>(&thread_trampoline);
  *--sp = 0;                                           // rbp
  *--sp = reinterpret_cast<uint64_t>(&thread_entry);   // rbx
  *--sp = reinterpret_cast<uint64_t>(t);               // r12
  *--sp = 0;                                           // r13
  *--sp = 0;                                           // r14
  *--sp = 0;                                           // r15
  t->kernel_rsp = reinterpret_cast<uint64_t>(sp);
  t->all_next = g_all;
  g_all = t;
  ++g_live;
  return t;
}

void make_runnable(Thread* t) {
  t->state = ThreadState::kRunnable;
  fifo_push(g_run_queue, t);
  g_woken_since_switch = true;
  // Someone now waits for the CPU: the running thread's slice must end by interrupt.
  if (g_current->state == ThreadState::kRunning && g_slice_end < g_programmed &&
      timer_usable())
    program_interrupt(g_slice_end);
}

void yield() {
  ensure_init();
  if (!g_run_queue.head)
    return;
  g_current->state = ThreadState::kRunnable;
  fifo_push(g_run_queue, g_current);
  schedule();
}

void block_current() {
  ensure_init();
  schedule();
}

void interrupt_wait(Thread* t) {
  if (t->state != ThreadState::kWaiting)
    return;
  if (t->waiting_on)
    fifo_remove(*t->waiting_on, t);
  t->waiting_on = nullptr;
  make_runnable(t);
}

void exit_current() {
  Thread* t = g_current;
  t->state = ThreadState::kDead;
  --g_live;
  fifo_push(g_zombies, t);
  schedule();
  panic("an exited thread was scheduled again");
}

void timed_wait_begins() {
  ++g_timed_waits;
}

void timed_wait_ends() {
  --g_timed_waits;
}

void ensure_interrupt_by(uint64_t deadline_ns) {
  if (deadline_ns < g_programmed && timer_usable())
    program_interrupt(deadline_ns);
}

} // namespace sched
