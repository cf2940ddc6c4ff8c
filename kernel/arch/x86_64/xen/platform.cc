#include "arch/x86_64/xen/platform.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/exit.h"
#include "arch/x86_64/xen/console.h"
#include "arch/x86_64/xen/hypercall.h"
#include "lib/kprintf.h"

namespace xen {
namespace {
BeforeShutdownHook g_before_shutdown = nullptr;
bool g_panicked = false;

[[noreturn]] void shutdown_domain(int status) {
  static bool stopping = false; // a fault in the hook below comes back here: skip it then
  if (!stopping) {
    stopping = true;
    if (g_before_shutdown)
      g_before_shutdown(status, g_panicked);
  }
  pv_console::drain();
  (void)sched_shutdown(g_panicked ? kShutdownCrash : kShutdownPoweroff);
  // The shutdown takes effect asynchronously: wait here for Xen to stop the vCPU.
  for (;;)
    asm volatile("cli; hlt");
}

void panic_exit(int status) {
  g_panicked = true;
  machine_exit(status);
}
} // namespace

bool init_platform() {
  if (!init_hypercalls())
    return false;
  if (pv_console::init())
    console::set_output(pv_console::write);
  console::set_panic_exit(panic_exit);
  set_machine_exit_hook(shutdown_domain);
  return true;
}

void set_before_shutdown(BeforeShutdownHook hook) {
  g_before_shutdown = hook;
}

} // namespace xen
