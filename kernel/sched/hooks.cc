#include "sched/hooks.h"

#include "arch/x86_64/exit.h"

namespace sched {
namespace {
[[noreturn]] void halt_on_deadlock() {
  kernel_panic_exit(kExitKernelHalt);
}
bool never() {
  return false;
}
void nothing(arch::TrapFrame*) {}

UpperHooks g_hooks = {halt_on_deadlock, never, nothing};
} // namespace

void set_upper_hooks(const UpperHooks& hooks) {
  g_hooks = hooks;
}

const UpperHooks& upper_hooks() {
  return g_hooks;
}

} // namespace sched
