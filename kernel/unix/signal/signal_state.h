// The signal state the event syscalls read and change (signalfd, ppoll/pselect6/
// epoll_pwait masks), in one place: the calling thread's mask and what is pending for it
// (its own signals and the process').
#pragma once

#include "arch/x86_64/user_ptr.h"
#include "lib/error_or.h"

#include <stdint.h>

namespace unix {

constexpr uint64_t signal_bit(int sig) {
  return 1ull << (sig - 1);
}
// SIGKILL and SIGSTOP can never be blocked or taken by a signalfd.
constexpr uint64_t kUnblockableSignals = signal_bit(9) | signal_bit(19);

uint64_t blocked_signals();
void set_blocked_signals(uint64_t mask);
uint64_t pending_signals();
// Pending for the whole process (kill, timers), not aimed at one thread.
uint64_t process_pending_signals();
// Removes the lowest-numbered pending signal in `mask` and returns it (0: none).
int consume_pending_signal(uint64_t mask);

// ppoll, pselect6 and epoll_pwait replace the mask for the duration of their wait. Copies
// the 8-byte user sigset (EINVAL unless sigsetsize == 8, EFAULT), installs it and stores
// the previous mask in *saved. The typed form returns the previous mask.
ErrorOr<uint64_t> begin_temporary_mask(UserPtr<uint64_t> user_set, uint64_t sigsetsize);
// Ends it. When the wait was interrupted by a signal the temporary mask let through, that
// signal's handler is entered now, still under the temporary mask, and its frame is made
// to restore `saved` on rt_sigreturn -- as Linux does; otherwise `saved` is restored at
// once. Returns the syscall's result.
long end_temporary_mask(long result, uint64_t saved);

} // namespace unix
