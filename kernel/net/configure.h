// Configures an interface that a driver attached: static IPv4 settings from the manifest
// (Nanos' keys: ipaddr, netmask, gateway, the per-interface "en1" tuple; net/settings.h) or,
// by default, DHCPv4 with renewal; DNS servers go to the image's /etc/resolv.conf unless the
// user mapped one. net::netdev::attach calls configure_interface once per interface.
//
// Order at boot: drivers attach their interfaces while the devices are found, before the
// root file system and its manifest are read. So an interface attached before
// apply_settings waits, unconfigured, and apply_settings (called by the unix layer once it
// read the manifest) configures it; one attached later is configured at once.
#pragma once

#include "net/interface.h"
#include "net/settings.h"
#include "net/stack.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

void configure_interface(Stack& stack, Interface& interface);

// The manifest's network settings (the unix layer, at boot, once).
void apply_settings(const NetSettings& settings);

// The content of the generated /etc/resolv.conf: one "nameserver A.B.C.D" line per server,
// the manifest's `nameservers` if given, else the latest DHCP lease's. A stable buffer whose
// text changes with the leases (the unix layer serves it as a read-only file). nullptr when
// there is nothing to resolve with: no network interface and no `nameservers`.
const char* resolv_conf_text();

// exec_wait_for_ip4_secs: sleeps until each interface whose settings ask for it has an
// address, at most its number of seconds. Called by the unix layer before the program runs.
void wait_for_addresses();

} // namespace net
