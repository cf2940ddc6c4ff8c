// Placeholder until the configuration work of issue 13 lands (DHCP, manifest keys): the
// interface is brought up without an address, so only the loopback interface carries
// traffic. Replaced by the real implementation; nothing depends on this behaviour.
#include "net/configure.h"

#include "lib/kprintf.h"

namespace net {

void configure_interface(Stack&, Interface& interface) {
  interface.set_up(true);
  kprintf("net: %s: no address configuration yet\n", interface.name());
}

} // namespace net
