// The IPv4 routing table of a host: connected routes (one per configured interface
// address, next hop = the destination itself) and gateway routes, e.g. the default route
// 0.0.0.0/0 via the DHCP router. Lookup is longest prefix first, then lowest metric, over
// interfaces that are up.
#pragma once

#include "lib/error_or.h"
#include "net/addr.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

class Interface;

struct Route {
  Ipv4Address destination; // network (host bits zero)
  uint8_t prefix_length = 0;
  Ipv4Address gateway; // any(): directly connected
  Interface* interface = nullptr;
  uint32_t metric = 0;
};

class RouteTable {
public:
  static constexpr size_t kMaxRoutes = 32;

  // Adds a route (the destination is masked to its prefix). -EEXIST when the same
  // destination/prefix/interface/gateway is already there, -ENOSPC when full.
  Status add(const Route& route);
  // Removes routes matching destination/prefix (and the interface, unless nullptr).
  size_t remove(Ipv4Address destination, uint8_t prefix_length, Interface* interface);
  // Removes every route through an interface.
  size_t remove_interface(Interface* interface);

  // The best route to `destination`, or nullptr (-ENETUNREACH for the caller).
  const Route* lookup(Ipv4Address destination) const;

  size_t size() const { return count_; }
  const Route& at(size_t i) const { return routes_[i]; }

private:
  Route routes_[kMaxRoutes];
  size_t count_ = 0;
};

} // namespace net
