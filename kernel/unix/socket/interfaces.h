// A snapshot of the network interfaces, their addresses and the routes, as the interface
// queries see them: the AF_NETLINK route dumps (netlink/) and the SIOCGIF* ioctls
// (interface_ioctl.cc). The structures are plain data so the code that formats them is
// freestanding and host-tested; take_interface_snapshot() (interfaces.cc, kernel only) fills
// one from the network stack (net/host.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix {

constexpr size_t kInterfaceNameSize = 16; // IFNAMSIZ, the NUL included

// Linux's interface flags (IFF_*) as SIOCGIFFLAGS and RTM_NEWLINK report them.
constexpr uint32_t kIffUp = 0x1, kIffBroadcast = 0x2, kIffLoopback = 0x8, kIffRunning = 0x40,
                   kIffMulticast = 0x1000, kIffLowerUp = 0x10000;

struct LinkInfo {
  uint32_t index = 0; // Linux's ifindex: 1 is lo
  char name[kInterfaceNameSize] = {};
  bool loopback = false;
  uint8_t mac[6] = {}; // all zero for lo
  uint32_t mtu = 0;
  uint32_t flags = 0; // kIff*
  // IPv4 address and prefix; address 0: none. Host order.
  uint32_t ipv4 = 0;
  uint8_t prefix_length = 0;
  bool has_ipv6_loopback = false; // ::1/128 (lo only)

  bool has_ipv4() const { return ipv4 != 0; }
  uint32_t netmask() const {
    return prefix_length == 0    ? 0
           : prefix_length >= 32 ? 0xFFFFFFFF
                                 : ~((1u << (32 - prefix_length)) - 1);
  }
  // The directed broadcast address; 0 when the link has none (no address, /31, /32, lo).
  uint32_t broadcast() const {
    if (!has_ipv4() || loopback || prefix_length >= 31)
      return 0;
    return ipv4 | ~netmask();
  }
};

struct RouteInfo {
  uint32_t destination = 0; // host order, host bits zero
  uint8_t prefix_length = 0;
  uint32_t gateway = 0; // 0: directly connected
  uint32_t link_index = 0;
  uint32_t preferred_source = 0; // the link's address for connected routes, else 0
  uint32_t metric = 0;
  bool local = false; // a route through lo (Linux keeps those in its "local" table)
};

struct InterfaceSnapshot {
  static constexpr size_t kMaxLinks = 8, kMaxRoutes = 32;
  LinkInfo links[kMaxLinks];
  size_t link_count = 0;
  RouteInfo routes[kMaxRoutes];
  size_t route_count = 0;

  const LinkInfo* find_index(uint32_t index) const;
  // The link named exactly `name` (at most kInterfaceNameSize bytes, NUL-terminated or not).
  const LinkInfo* find_name(const char* name) const;
};

// Fills `out` from the kernel's network stack (kernel only).
void take_interface_snapshot(InterfaceSnapshot& out);

} // namespace unix
