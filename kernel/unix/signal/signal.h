// Signal delivery: a Linux x86-64 rt_sigframe on the user stack (or the sigaltstack), the
// handler entered with (signo, siginfo*, ucontext*), and rt_sigreturn restoring everything.
#pragma once

#include "arch/x86_64/user.h"
#include "lib/error_or.h"

#include <stdint.h>

namespace unix {

// Delivers `sig` to the program with user registers `frame` (modified in place to enter the
// handler). siginfo carries `code` and, for faults, `addr`. Returns false when the signal's
// action is the default or ignore (the caller applies it), true when a handler will run.
bool deliver_signal(int sig, arch::TrapFrame* frame, int code, uint64_t addr);

// Called at the end of every syscall with its result: delivers one pending, unblocked
// signal (entering its handler, or applying the default action). Returns the value for RAX.
// restart_nr >= 0: the syscall (that number) is one Linux restarts after a handler with
// SA_RESTART (read, write, recv...): when it ended with -EINTR and the handler has
// SA_RESTART, the handler returns into the syscall instruction again instead of -EINTR.
long deliver_pending(long result, long restart_nr = -1);

// The same after a timer interrupt from user mode (preemption), on its frame: signals sent
// while the thread was runnable are taken before it continues.
void deliver_pending_on_interrupt(arch::TrapFrame* frame);

// Makes `sig` pending for the process (kill, alarm/setitimer/POSIX timer expiry, SIGPIPE):
// it is delivered to a thread that does not block it on that thread's next return to user
// mode, and a thread blocked in sched::wait() that would take it is woken (-EINTR).
// Safe from timer callbacks.
void raise_process_signal(int sig);

struct Task;
// tgkill/tkill: makes sig pending for that one thread and ends its wait if it takes it.
void raise_thread_signal(Task& task, int sig);

// Removes and returns the lowest pending signal of the calling thread (its own first, then
// the process') that is in `set`; 0 if none. For rt_sigtimedwait and signalfd.
int take_pending_signal(uint64_t set);
// Pending for the calling thread: its own and the process' (rt_sigpending, signalfd).
uint64_t pending_signals_of_current();

// True when a pending signal the current thread does not block would be acted on (not
// ignored): a blocking wait ends with -EINTR (sched/wait.h).
bool signal_wakes_wait();

// True if the disposition of sig is "ignore" (explicitly, or by default).
bool signal_ignored(int sig);

// rt_sigreturn: restores the registers, FPU state and mask saved by deliver_signal from the
// frame at the user rsp in `frame` (which it rewrites). The value is the restored RAX (the
// interrupted context's, which may itself look like an errno); -EFAULT if that memory is
// bad, -ENOMEM without room for the FPU state.
ErrorOr<long> sigreturn(arch::TrapFrame* frame);

} // namespace unix
