#include "unix/process/network_setup.h"

#include "arch/x86_64/exit.h"
#include "fs/tree.h"
#include "lib/kprintf.h"
#include "net/configure.h"
#include "net/settings.h"

namespace unix {

void setup_network(const tfs::Value* root) {
  net::NetSettings settings;
  const char* bad_key = nullptr;
  if (!net::parse_net_settings(root, &settings, &bad_key)) {
    kprintf("manifest: %s: not a valid value\n", bad_key);
    machine_exit(kExitKernelPanic);
  }
  net::apply_settings(settings);
  // A resolv.conf the user put in the image wins; otherwise the kernel's follows the leases.
  const char* text = net::resolv_conf_text();
  int32_t etc = fs::find_child(0, "etc");
  if (text && etc >= 0 && fs::find_child(etc, "resolv.conf") < 0 &&
      fs::add_text_file(etc, "resolv.conf", text) < 0)
    kprintf("net: no memory for /etc/resolv.conf\n");
}

void wait_for_network() {
  net::wait_for_addresses();
}

} // namespace unix
