#include "net/pmtu.h"

#include "net/ipv4.h"

namespace net {

void PathMtuCache::report(Ipv4Address destination, uint32_t mtu, uint32_t link_mtu,
                          uint64_t now_ns) {
  if (mtu < kIpv4MinMtu)
    return; // not an MTU any IPv4 link can have: a broken or forged report
  // Never below 576, the datagram every host must take whole (RFC 1122 3.3.2): TCP's
  // smallest segment (536 bytes of data, RFC 9293 3.7.1) must still fit, or one forged
  // "fragmentation needed" would stop all TCP to the destination for kAge.
  if (mtu < kMinPathMtu)
    mtu = kMinPathMtu;
  if (mtu >= lookup(destination, link_mtu, now_ns))
    return;
  auto fresh = [&](const Entry& e) { return e.mtu && now_ns - e.reported_ns < kAge; };
  Entry* slot = nullptr;
  for (Entry& e : entries_)
    if (fresh(e) && e.destination == destination)
      slot = &e;
  for (Entry& e : entries_)
    if (!slot && !fresh(e))
      slot = &e;
  if (!slot) { // full of live reports: replace the oldest
    slot = &entries_[0];
    for (Entry& e : entries_)
      if (e.reported_ns < slot->reported_ns)
        slot = &e;
  }
  slot->destination = destination;
  slot->mtu = mtu;
  any_ = true;
  slot->reported_ns = now_ns;
}

uint32_t PathMtuCache::lookup(Ipv4Address destination, uint32_t link_mtu, uint64_t now_ns) const {
  if (!any_)
    return link_mtu;
  for (const Entry& e : entries_)
    if (e.mtu && e.destination == destination && now_ns - e.reported_ns < kAge)
      return e.mtu < link_mtu ? e.mtu : link_mtu;
  return link_mtu;
}

} // namespace net
