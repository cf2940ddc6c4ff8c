#include "unix/signal_state.h"

#include "arch/x86_64/user.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "unix/process.h"
#include "unix/signal.h"

namespace unix {

uint64_t blocked_signals() {
  return process().signal_mask;
}

void set_blocked_signals(uint64_t mask) {
  process().signal_mask = mask & ~kUnblockableSignals;
}

uint64_t pending_signals() {
  return process().pending_signals;
}

uint64_t process_pending_signals() {
  return process().pending_signals;
}

int consume_pending_signal(uint64_t mask) {
  uint64_t ready = process().pending_signals & mask;
  if (!ready)
    return 0;
  int sig = __builtin_ctzll(ready) + 1;
  process().pending_signals &= ~signal_bit(sig);
  return sig;
}

long begin_temporary_mask(const void* user_set, uint64_t sigsetsize, uint64_t* saved) {
  if (sigsetsize != 8)
    return -EINVAL;
  uint64_t set;
  if (copy_from_user(&set, user_set, sizeof set) < 0)
    return -EFAULT;
  *saved = blocked_signals();
  set_blocked_signals(set);
  return 0;
}

long end_temporary_mask(long result, uint64_t saved) {
  arch::TrapFrame* f = arch::current_syscall_frame();
  if (result == -EINTR && f) {
    uint64_t rip = f->rip;
    long r = deliver_pending(result);
    if (f->rip != rip) {
      // A handler was entered: the ucontext of Linux's rt_sigframe starts 8 bytes above
      // the handler's rsp (after the return address) and its uc_sigmask 296 bytes into it.
      constexpr uint64_t kUcSigmaskOffset = 8 + 8 + 8 + 24 + 256;
      copy_to_user(reinterpret_cast<void*>(f->rsp + kUcSigmaskOffset), &saved, sizeof saved);
      return r;
    }
    set_blocked_signals(saved);
    return r;
  }
  set_blocked_signals(saved);
  return result;
}

} // namespace unix
