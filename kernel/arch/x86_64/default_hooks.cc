// Weak defaults for the hooks kernel-unix implements (arch/x86_64/user.h). They let the
// machine side boot and be tested alone; kernel/unix's strong definitions replace them.
#include "arch/x86_64/exit.h"
#include "arch/x86_64/user.h"
#include "lib/errno.h"
#include "lib/kprintf.h"

[[noreturn]] void core_report_and_exit(); // main.cc: prints what the machine found, then exits

extern "C" __attribute__((weak)) long unix_syscall(long nr, long, long, long, long, long, long) {
  kprintf("syscall %ld: no unix layer\n", nr);
  return -ENOSYS;
}

namespace unix {
__attribute__((weak)) void start() {
  core_report_and_exit();
}

__attribute__((weak)) bool handle_user_page_fault(uint64_t, uint64_t) {
  return false;
}

__attribute__((weak)) void handle_user_fault(const arch::TrapFrame& frame, int signal,
                                             uint64_t addr) {
  kprintf("user fault: signal %d at rip %#lx, address %#lx\n", signal, frame.rip, addr);
  machine_exit({ExitReport::Kind::kKilledBySignal, signal});
}
} // namespace unix
