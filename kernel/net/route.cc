#include "net/route.h"

#include "net/interface.h"

namespace net {

Status RouteTable::add(const Route& route) {
  Route r = route;
  r.destination.value &= prefix_mask(r.prefix_length);
  for (size_t i = 0; i < count_; ++i) {
    const Route& o = routes_[i];
    if (o.destination == r.destination && o.prefix_length == r.prefix_length &&
        o.interface == r.interface && o.gateway == r.gateway)
      return Err(-EEXIST);
  }
  if (count_ == kMaxRoutes)
    return Err(-ENOSPC);
  routes_[count_++] = r;
  return status_ok();
}

size_t RouteTable::remove(Ipv4Address destination, uint8_t prefix_length, Interface* interface) {
  destination.value &= prefix_mask(prefix_length);
  size_t removed = 0;
  for (size_t i = 0; i < count_;) {
    const Route& r = routes_[i];
    if (r.destination == destination && r.prefix_length == prefix_length &&
        (!interface || r.interface == interface)) {
      routes_[i] = routes_[--count_];
      ++removed;
    } else {
      ++i;
    }
  }
  return removed;
}

size_t RouteTable::remove_interface(Interface* interface) {
  size_t removed = 0;
  for (size_t i = 0; i < count_;) {
    if (routes_[i].interface == interface) {
      routes_[i] = routes_[--count_];
      ++removed;
    } else {
      ++i;
    }
  }
  return removed;
}

const Route* RouteTable::lookup(Ipv4Address destination) const {
  const Route* best = nullptr;
  for (size_t i = 0; i < count_; ++i) {
    const Route& r = routes_[i];
    if (!r.interface || !r.interface->is_up() ||
        !same_prefix(destination, r.destination, r.prefix_length))
      continue;
    if (!best || r.prefix_length > best->prefix_length ||
        (r.prefix_length == best->prefix_length && r.metric < best->metric))
      best = &r;
  }
  return best;
}

} // namespace net
