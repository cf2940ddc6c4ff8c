#include "arch/x86_64/xen/platform.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/exit.h"
#include "arch/x86_64/xen/console.h"
#include "arch/x86_64/xen/hypercall.h"
#include "lib/kprintf.h"

namespace xen {
namespace {
BeforeShutdownHook g_before_shutdown = nullptr;

[[noreturn]] void shutdown_domain(const ExitReport& report) {
  const bool panicked = report.kind == ExitReport::Kind::kKernelPanic;
  static bool stopping = false; // a fault in the hook below comes back here: skip it then
  if (!stopping) {
    stopping = true;
    if (g_before_shutdown)
      g_before_shutdown(debug_exit_code(report), panicked); // 128+N for signal N, as QEMU
  }
  pv_console::drain();
  (void)sched_shutdown(panicked ? kShutdownCrash : kShutdownPoweroff);
  // The shutdown takes effect asynchronously: wait here for Xen to stop the vCPU.
  for (;;)
    asm volatile("cli; hlt");
}
} // namespace

bool init_platform() {
  if (!init_hypercalls())
    return false;
  if (pv_console::init())
    console::set_output(pv_console::write);
  set_machine_exit_hook(shutdown_domain);
  return true;
}

void set_before_shutdown(BeforeShutdownHook hook) {
  g_before_shutdown = hook;
}

} // namespace xen
