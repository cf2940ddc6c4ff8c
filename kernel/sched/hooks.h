// What the scheduler needs from the layer above it (kernel/unix), as hooks: sched must not
// include unix. unix::start installs them before the first thread starts; the defaults
// suit a kernel without a unix layer (the kernel-core self-test).
#pragma once

#include "arch/x86_64/user.h"

namespace sched {

struct UpperHooks {
  // Every thread waits with no deadline and no timer armed: nothing can wake any of them.
  // Ends the program (default: exit the machine with 127). Must not return.
  void (*deadlock)();
  // Whether the current thread has a pending signal that ends interruptible waits
  // (default: never).
  bool (*signal_wakes_wait)();
  // A timer (or device) interrupt from user mode is about to return to user mode on the
  // (possibly switched-to) current thread: deliver its pending signals (default: nothing).
  void (*before_user_return)(arch::TrapFrame* frame);
};

void set_upper_hooks(const UpperHooks& hooks);
const UpperHooks& upper_hooks();

} // namespace sched
