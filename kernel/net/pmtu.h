// Path MTU discovery state (RFC 1191): the smallest MTU an ICMP "fragmentation needed"
// reported for a destination, kept for kAge and then forgotten so a path that grew again
// is found (RFC 1191 section 6.3 suggests ten minutes).
#pragma once

#include "net/addr.h"
#include "net/clock.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

class PathMtuCache {
public:
  static constexpr size_t kEntries = 32;
  static constexpr uint64_t kAge = 10 * 60 * kNsPerSecond;
  static constexpr uint32_t kMinPathMtu = 576; // what pmtu.cc never goes below, and why

  // Records a report; ignores one below 68 (the IPv4 minimum) or not below the current
  // estimate (RFC 1191 section 6.1: reports can only lower it); one between 68 and 575
  // counts as kMinPathMtu.
  void report(Ipv4Address destination, uint32_t mtu, uint32_t link_mtu, uint64_t now_ns);
  // The path MTU to `destination`, given the first hop's link MTU.
  uint32_t lookup(Ipv4Address destination, uint32_t link_mtu, uint64_t now_ns) const;

private:
  struct Entry {
    Ipv4Address destination;
    uint32_t mtu = 0; // 0: free
    uint64_t reported_ns = 0;
  };
  Entry entries_[kEntries];
  // Whether any report was ever stored: until then every lookup is the link's MTU, and the
  // transmit path asks once per segment.
  bool any_ = false;
};

} // namespace net
