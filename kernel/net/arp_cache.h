// The ARP cache of one interface: IPv4 address -> MAC, with a pending queue per unresolved
// address and time-based expiry. Pure bookkeeping: it never sends; the caller (the Stack)
// sends the requests it is told to and transmits the packets it gets back. Time is the
// caller's now_ns.
//
//   resolved:   lookup() gives the MAC.
//   unresolved: enqueue() keeps the packet (up to kMaxPending packets / kMaxPendingBytes per
//               address, oldest dropped first, RFC 1122 2.3.2.2) and says whether to send a request
//               now; learn() from a reply returns the queued packets; expire() retransmits requests
//               every kRetryInterval and, after kMaxRequests unanswered ones, drops the entry and
//               its packets.
#pragma once

#include "net/addr.h"
#include "net/clock.h"
#include "net/packet.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

class ArpCache {
public:
  static constexpr size_t kEntries = 64;
  // What may wait per address: enough for one fragmented 64 KiB datagram (whose fragments
  // all wait for the same reply), not unbounded.
  static constexpr size_t kMaxPending = 64;
  static constexpr size_t kMaxPendingBytes = 80 * 1024;
  static constexpr uint64_t kRetryInterval = 1 * kNsPerSecond;
  static constexpr int kMaxRequests = 3;
  // How long a learned mapping is trusted without being refreshed.
  static constexpr uint64_t kReachableTime = 60 * kNsPerSecond;

  // The MAC for `ip` if a live mapping exists.
  bool lookup(Ipv4Address ip, uint64_t now_ns, MacAddress* mac);

  // Queues a packet for an address with no mapping. Returns true when the caller should
  // send a request now (the address was not being resolved yet).
  bool enqueue(Ipv4Address ip, PacketPtr packet, uint64_t now_ns);

  // A mapping seen in an ARP message (RFC 826 "merge"): updates an existing entry; creates
  // one only when `create` (the message was addressed to us). Returns the packets that
  // waited for this address, for the caller to send.
  PacketQueue learn(Ipv4Address ip, const MacAddress& mac, uint64_t now_ns, bool create);

  // Timeouts. For each address whose request is due again, calls send_request(ctx, ip);
  // entries out of retries are dropped with their packets (freed), expired mappings removed.
  void expire(uint64_t now_ns, void (*send_request)(void* ctx, Ipv4Address ip), void* ctx);

  // Forgets everything (the interface went down or changed address).
  void clear();

  size_t size() const; // entries in use
  size_t pending(Ipv4Address ip) const;

private:
  enum class State : uint8_t { kFree, kIncomplete, kReachable };
  struct Entry {
    State state = State::kFree;
    Ipv4Address ip;
    MacAddress mac;
    uint64_t deadline_ns = 0; // reachable: expiry; incomplete: next request
    uint64_t last_used_ns = 0;
    int requests = 0;
    PacketQueue pending;
  };
  Entry* find(Ipv4Address ip);
  const Entry* find(Ipv4Address ip) const;
  Entry* allocate();

  Entry entries_[kEntries];
};

} // namespace net
