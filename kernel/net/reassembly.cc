#include "net/reassembly.h"

#include "lib/string.h"
#ifdef KERNEL_HOST_BUILD
#include <new>
#else
#include "lib/new.h"
#endif

namespace net {

size_t Reassembler::in_progress() const {
  size_t n = 0;
  for (const Datagram& d : datagrams_)
    n += d.used;
  return n;
}

void Reassembler::discard(Datagram& d) {
  delete[] d.buffer;
  bytes_ -= d.capacity;
  d = Datagram();
}

void Reassembler::clear() {
  for (Datagram& d : datagrams_)
    if (d.used)
      discard(d);
}

void Reassembler::expire(uint64_t now_ns) {
  for (Datagram& d : datagrams_) {
    if (d.used && now_ns - d.started_ns >= kTimeout) {
      ++stats_.timed_out;
      discard(d);
    }
  }
}

Reassembler::Datagram* Reassembler::find_or_start(const Ipv4Header& h, uint64_t now_ns) {
  Datagram* free_slot = nullptr;
  Datagram* oldest = nullptr;
  for (Datagram& d : datagrams_) {
    if (!d.used) {
      free_slot = free_slot ? free_slot : &d;
      continue;
    }
    if (d.source == h.source && d.destination == h.destination && d.protocol == h.protocol &&
        d.id == h.id)
      return &d;
    if (!oldest || d.started_ns < oldest->started_ns)
      oldest = &d;
  }
  if (!free_slot) {
    ++stats_.evicted;
    discard(*oldest);
    free_slot = oldest;
  }
  Datagram& d = *free_slot;
  d.used = true;
  d.source = h.source;
  d.destination = h.destination;
  d.protocol = h.protocol;
  d.id = h.id;
  d.started_ns = now_ns;
  d.holes[0] = {0, kOpenEnd};
  d.hole_count = 1;
  return &d;
}

// Makes the buffer hold at least `end` bytes, within the global byte limit (evicting the
// oldest other datagrams if need be).
bool Reassembler::grow(Datagram& d, uint32_t end) {
  if (end <= d.capacity)
    return true;
  // Round up so a run of in-order fragments does not copy the buffer each time.
  uint32_t capacity = d.capacity ? d.capacity : 1024;
  while (capacity < end)
    capacity *= 2;
  if (capacity > kIpv4MaxDatagram)
    capacity = static_cast<uint32_t>(kIpv4MaxDatagram);
  if (capacity < end)
    return false;
  size_t extra = capacity - d.capacity;
  while (bytes_ + extra > kMaxBytes) {
    Datagram* oldest = nullptr;
    for (Datagram& o : datagrams_)
      if (o.used && &o != &d && (!oldest || o.started_ns < oldest->started_ns))
        oldest = &o;
    if (!oldest)
      return false;
    ++stats_.evicted;
    discard(*oldest);
  }
  auto* buffer = new (std::nothrow) uint8_t[capacity];
  if (!buffer)
    return false;
  if (d.buffer)
    memcpy(buffer, d.buffer, d.capacity);
  delete[] d.buffer;
  d.buffer = buffer;
  bytes_ += extra;
  d.capacity = capacity;
  return true;
}

uint32_t Reassembler::missing_bytes(const Datagram& d, uint32_t first, uint32_t last) const {
  uint32_t missing = 0;
  for (size_t i = 0; i < d.hole_count; ++i) {
    uint32_t lo = d.holes[i].first > first ? d.holes[i].first : first;
    uint32_t hi = d.holes[i].last < last ? d.holes[i].last : last;
    if (lo <= hi)
      missing += hi - lo + 1;
  }
  return missing;
}

// RFC 815 steps 1-8: every hole the fragment touches is removed, and what is left of it on
// either side becomes a new hole. (The final fragment has already closed the open end.)
bool Reassembler::fill(Datagram& d, uint32_t first, uint32_t last) {
  Hole next[kMaxHoles];
  size_t count = 0;
  for (size_t i = 0; i < d.hole_count; ++i) {
    Hole h = d.holes[i];
    if (first > h.last || last < h.first) {
      if (count == kMaxHoles)
        return false;
      next[count++] = h;
      continue;
    }
    if (first > h.first) {
      if (count == kMaxHoles)
        return false;
      next[count++] = {h.first, first - 1};
    }
    if (last < h.last) {
      if (count == kMaxHoles)
        return false;
      next[count++] = {last + 1, h.last};
    }
  }
  memcpy(d.holes, next, sizeof(Hole) * count);
  d.hole_count = count;
  return true;
}

void Reassembler::close_end(Datagram& d, uint32_t total) {
  d.total = total;
  size_t count = 0;
  for (size_t i = 0; i < d.hole_count; ++i) {
    Hole h = d.holes[i];
    if (h.first >= total)
      continue;
    if (h.last >= total)
      h.last = total - 1;
    d.holes[count++] = h;
  }
  d.hole_count = count;
}

PacketPtr Reassembler::add(const Ipv4Header& h, const uint8_t* payload, size_t len, uint64_t now_ns,
                           Ipv4Header* complete_header) {
  uint32_t first = static_cast<uint32_t>(h.fragment_offset());
  uint32_t end = first + static_cast<uint32_t>(len);
  // Empty fragments, a datagram over 64 KiB, and non-final fragments that are not a whole
  // number of 8-byte units (the next offset could not follow on) are malformed.
  if (len == 0 || end > kIpv4MaxDatagram - kIpv4MinHeaderSize ||
      (h.more_fragments() && (len % 8) != 0)) {
    ++stats_.invalid;
    return PacketPtr();
  }
  Datagram& d = *find_or_start(h, now_ns);
  bool known_total = d.total != kOpenEnd;
  bool conflict = (known_total && end > d.total) ||
                  (!h.more_fragments() && known_total && end != d.total) ||
                  (!h.more_fragments() && !known_total && d.max_end > end);
  uint32_t missing = missing_bytes(d, first, end - 1);
  if (conflict || (missing != 0 && missing != len)) {
    // Partly overlapping, or lengths that disagree about the end: refuse the datagram.
    ++stats_.overlaps;
    discard(d);
    return PacketPtr();
  }
  if (!h.more_fragments() && !known_total)
    close_end(d, end);
  if (missing != 0) {
    if (!grow(d, end) || !fill(d, first, end - 1)) {
      ++stats_.evicted;
      discard(d);
      return PacketPtr();
    }
    memcpy(d.buffer + first, payload, len);
    if (end > d.max_end)
      d.max_end = end;
    if (first == 0)
      d.first_header = h;
  }
  // (missing == 0: a duplicate; it can still complete the datagram by closing its end.)
  if (d.hole_count != 0)
    return PacketPtr();

  // Complete: one packet with headroom for a header in front.
  PacketPtr whole = PacketPtr::allocate(kPacketHeadroom, d.total);
  if (whole)
    whole->append(d.buffer, d.total);
  *complete_header = d.first_header;
  complete_header->header_length = kIpv4MinHeaderSize;
  complete_header->total_length = static_cast<uint16_t>(d.total + kIpv4MinHeaderSize);
  complete_header->flags_fragment &= kIpv4FlagDontFragment;
  ++stats_.completed;
  discard(d);
  return whole;
}

} // namespace net
