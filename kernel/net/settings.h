// The network settings of an image, read from the manifest's root tuple with Nanos' key
// names (docs/net.md, "Configuration"):
//
//   en1:(ipaddr:10.0.2.16 netmask:255.255.255.0 gateway:10.0.2.2 mtu:1400)   per interface
//   ipaddr:... netmask:... gateway:...        en1's keys at the root, when there is no en1 tuple
//   exec_wait_for_ip4_secs:5                  start the program once en1 has an address, or
//                                             after 5 s (0 or over 180: 5, as Nanos does)
//   nameservers:"1.1.1.1 8.8.8.8"             static DNS servers for /etc/resolv.conf (ours)
//
// An interface without `ipaddr` is configured by DHCP; `netmask` defaults to /24 and
// `gateway` to Nanos' choice (default_gateway below). Values are strings (nanos-mkimage
// --set) or integers. Freestanding and host-tested; the unix layer hands the root tuple in
// at boot (net/configure.h).
#pragma once

#include "lib/error_or.h"
#include "lib/tfs/tfs.h"
#include "net/addr.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

struct InterfaceSettings {
  Ipv4Address address; // any(): DHCP
  uint8_t prefix_length = 24;
  Ipv4Address gateway;            // static: `gateway` or default_gateway(); DHCP: unused
  uint32_t mtu = 0;               // 0: the device's
  uint32_t wait_for_ip4_secs = 0; // 0: start the program at once
  bool is_static() const { return !address.is_any(); }
};

struct NetSettings {
  static constexpr size_t kMaxInterfaces = 8; // en1 .. en8
  static constexpr size_t kMaxNameservers = 3;
  InterfaceSettings interfaces[kMaxInterfaces];
  Ipv4Address nameservers[kMaxNameservers];
  uint8_t nameserver_count = 0;
};

// "10.0.2.15" -> the address; false unless four decimal parts 0-255.
bool parse_ipv4(const uint8_t* text, size_t len, Ipv4Address* out);
// Nanos' default gateway: the first address of the network, or the last usable one when
// the first is the host's own.
Ipv4Address default_gateway(Ipv4Address address, uint8_t prefix_length);

// Reads the keys above from `root`. On error *bad_key names the key whose value is wrong.
Status parse_net_settings(const tfs::Value* root, NetSettings* out, const char** bad_key);

// Interface "enN" -> N - 1, or -1 for other names and N beyond kMaxInterfaces.
int interface_index(const char* name);

} // namespace net
