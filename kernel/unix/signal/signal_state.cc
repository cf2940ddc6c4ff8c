#include "unix/signal/signal_state.h"

#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "unix/process/process.h"
#include "unix/signal/signal.h"

namespace unix {

uint64_t blocked_signals() {
  return current_task().signal_mask;
}

void set_blocked_signals(uint64_t mask) {
  current_task().signal_mask = mask & ~kUnblockableSignals;
}

uint64_t pending_signals() {
  return pending_signals_of_current();
}

uint64_t process_pending_signals() {
  return process().pending_signals;
}

int consume_pending_signal(uint64_t mask) {
  return take_pending_signal(mask);
}

ErrorOr<uint64_t> begin_temporary_mask(UserPtr<uint64_t> user_set, uint64_t sigsetsize) {
  if (sigsetsize != 8)
    return Err(-EINVAL);
  uint64_t set = TRY(copy_from_user(user_set));
  uint64_t saved = blocked_signals();
  set_blocked_signals(set);
  return saved;
}

long end_temporary_mask(long result, uint64_t saved) {
  if (result == -EINTR) {
    // The signal is delivered on the way out, still under the temporary mask; its frame
    // carries `saved`, or `saved` comes back at once if no handler runs (signal.cc).
    Task& t = current_task();
    t.saved_mask = saved;
    t.restore_saved_mask = true;
    return result;
  }
  set_blocked_signals(saved);
  return result;
}

} // namespace unix
