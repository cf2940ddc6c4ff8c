// Configures an interface that a driver attached: static IPv4 settings from the manifest
// (Nanos' keys: ipaddr, netmask, gateway, the per-interface "en1" tuple) or, by default,
// DHCPv4 with renewal; DNS servers go to the image's /etc/resolv.conf unless the user
// mapped one. net::netdev::attach calls it once per interface.
#pragma once

#include "net/interface.h"
#include "net/stack.h"

namespace net {

void configure_interface(Stack& stack, Interface& interface);

} // namespace net
