// The exit-status convention under Xen (docs/xen.md): Xen has no exit code of its own, so
// on the way out the kernel writes the status into its own xenstore directory, where the
// runner reads it while the stopped domain is kept (on_poweroff/on_crash = "preserve"):
//   data/nanos/exit    "0".."255": the same number the kernel exits with under QEMU
//   data/nanos/panic   "1", written first, when a kernel panic ended the machine
// and Xen's shutdown reason says the same (poweroff, or crash after a panic).
#include "arch/x86_64/xen/platform.h"
#include "drivers/xen/blkfront.h"
#include "drivers/xen/xenstore.h"
#include "lib/format.h"

namespace xen_drivers {
namespace {
void publish_exit_status(int status, bool panicked) {
  // A fault inside a xenstore request must not start another one.
  if (!xenstore::connected() || xenstore::busy())
    return;
  if (panicked)
    (void)xenstore::write("data/nanos/panic", "1");
  char value[8];
  klib::format(value, sizeof value, "%d", status & 0xFF);
  (void)xenstore::write("data/nanos/exit", value);
}
} // namespace

void install_exit_status() {
  xen::set_before_shutdown(publish_exit_status);
}
} // namespace xen_drivers
