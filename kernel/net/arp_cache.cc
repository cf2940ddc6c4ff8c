#include "net/arp_cache.h"

namespace net {

ArpCache::Entry* ArpCache::find(Ipv4Address ip) {
  for (Entry& e : entries_)
    if (e.state != State::kFree && e.ip == ip)
      return &e;
  return nullptr;
}

const ArpCache::Entry* ArpCache::find(Ipv4Address ip) const {
  for (const Entry& e : entries_)
    if (e.state != State::kFree && e.ip == ip)
      return &e;
  return nullptr;
}

// A free slot, else the least recently used one (a mapping before an address still being
// resolved, whose packets would be lost).
ArpCache::Entry* ArpCache::allocate() {
  Entry* victim = nullptr;
  for (Entry& e : entries_) {
    if (e.state == State::kFree)
      return &e;
    bool better = !victim || (e.state == State::kReachable && victim->state != State::kReachable) ||
                  (e.state == victim->state && e.last_used_ns < victim->last_used_ns);
    if (better)
      victim = &e;
  }
  victim->pending.clear();
  victim->state = State::kFree;
  return victim;
}

bool ArpCache::lookup(Ipv4Address ip, uint64_t now_ns, MacAddress* mac) {
  Entry* e = find(ip);
  if (!e || e->state != State::kReachable || now_ns >= e->deadline_ns)
    return false;
  *mac = e->mac;
  e->last_used_ns = now_ns; // for the least-recently-used eviction
  return true;
}

bool ArpCache::enqueue(Ipv4Address ip, PacketPtr packet, uint64_t now_ns) {
  Entry* e = find(ip);
  bool send_request = false;
  if (e && e->state == State::kReachable) {
    // An expired mapping (lookup failed): resolve it again, as a new entry.
    e->state = State::kFree;
    e = nullptr;
  }
  if (!e) {
    e = allocate();
    e->state = State::kIncomplete;
    e->ip = ip;
    e->requests = 1;
    e->deadline_ns = now_ns + kRetryInterval;
    send_request = true;
  }
  e->last_used_ns = now_ns;
  while (!e->pending.empty() && (e->pending.count() >= kMaxPending ||
                                 e->pending.bytes() + packet->length() > kMaxPendingBytes))
    e->pending.pop_front(); // keep the newest (RFC 1122 2.3.2.2)
  e->pending.push_back(packet.take());
  return send_request;
}

PacketQueue ArpCache::learn(Ipv4Address ip, const MacAddress& mac, uint64_t now_ns, bool create) {
  Entry* e = find(ip);
  if (!e) {
    if (!create)
      return PacketQueue();
    e = allocate();
    e->ip = ip;
    e->last_used_ns = now_ns;
  }
  e->state = State::kReachable;
  e->mac = mac;
  e->requests = 0;
  e->deadline_ns = now_ns + kReachableTime;
  PacketQueue waiting(static_cast<PacketQueue&&>(e->pending));
  return waiting;
}

void ArpCache::expire(uint64_t now_ns, void (*send_request)(void* ctx, Ipv4Address ip), void* ctx) {
  for (Entry& e : entries_) {
    if (e.state == State::kFree || now_ns < e.deadline_ns)
      continue;
    if (e.state == State::kIncomplete && e.requests < kMaxRequests) {
      ++e.requests;
      e.deadline_ns = now_ns + kRetryInterval;
      send_request(ctx, e.ip);
      continue;
    }
    // Unanswered or stale: forget it (and drop what waited).
    e.pending.clear();
    e.state = State::kFree;
  }
}

void ArpCache::clear() {
  for (Entry& e : entries_) {
    e.pending.clear();
    e.state = State::kFree;
  }
}

size_t ArpCache::size() const {
  size_t n = 0;
  for (const Entry& e : entries_)
    n += e.state != State::kFree;
  return n;
}

size_t ArpCache::pending(Ipv4Address ip) const {
  const Entry* e = find(ip);
  return e ? e->pending.count() : 0;
}

} // namespace net
