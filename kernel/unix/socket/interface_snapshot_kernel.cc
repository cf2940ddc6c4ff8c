// take_interface_snapshot (interfaces.h): the network stack's interfaces and routes as
// plain data. Kernel only; the formatting that reads the snapshot is host-tested.
#include "lib/string.h"
#include "net/host.h"
#include "net/interface.h"
#include "net/route.h"
#include "unix/socket/interfaces.h"

namespace unix {
namespace {

uint32_t flags_of(const net::Interface& i) {
  // The administrative state is always up (nothing here can take an interface down); the
  // link state (virtio STATUS) gives RUNNING and LOWER_UP.
  uint32_t flags = kIffUp;
  flags |= i.is_loopback() ? kIffLoopback : kIffBroadcast | kIffMulticast;
  if (i.is_up())
    flags |= kIffRunning | kIffLowerUp;
  return flags;
}

} // namespace

void take_interface_snapshot(InterfaceSnapshot& out) {
  out.link_count = out.route_count = 0;
  net::Stack& ip = net::host::ip();
  for (uint32_t index = 1; index <= net::Stack::kMaxInterfaces; ++index) {
    net::Interface* i = ip.interface_at_index(index);
    if (!i || out.link_count == InterfaceSnapshot::kMaxLinks)
      continue;
    LinkInfo& link = out.links[out.link_count++];
    link = LinkInfo{};
    link.index = index;
    klib::strlcpy(link.name, i->name(), sizeof link.name);
    link.loopback = i->is_loopback();
    memcpy(link.mac, i->mac().bytes, sizeof link.mac);
    link.mtu = i->mtu();
    link.flags = flags_of(*i);
    link.ipv4 = i->address().value;
    link.prefix_length = i->prefix_length();
    // TCP over ::1 works (net/host.cc); IPv6 has no other address yet.
    link.has_ipv6_loopback = link.loopback;
  }
  const net::RouteTable& routes = ip.routes();
  for (size_t r = 0; r < routes.size() && out.route_count < InterfaceSnapshot::kMaxRoutes; ++r) {
    const net::Route& route = routes.at(r);
    if (!route.interface)
      continue;
    uint32_t index = 0;
    for (uint32_t k = 1; k <= net::Stack::kMaxInterfaces && !index; ++k)
      if (ip.interface_at_index(k) == route.interface)
        index = k;
    RouteInfo& info = out.routes[out.route_count++];
    info.destination = route.destination.value;
    info.prefix_length = route.prefix_length;
    info.gateway = route.gateway.value;
    info.link_index = index;
    info.preferred_source = route.gateway.is_any() ? route.interface->address().value : 0;
    info.metric = route.metric;
    info.local = route.interface->is_loopback();
  }
}

} // namespace unix
