// IPv4 fragment reassembly (RFC 791 section 3.2, with RFC 815's hole list). Fragments of
// one datagram share (source, destination, protocol, identification). Each datagram in
// progress has a buffer sized to the highest fragment end seen and a list of the holes still
// missing; it is complete when no hole is left.
//
// Limits keep a flood of fragments from exhausting memory:
//  - kMaxDatagrams in progress at once and kMaxBytes of buffers in total (a new datagram
//    past either limit evicts the oldest one);
//  - kMaxHoles per datagram (tiny interleaved fragments make many holes);
//  - kTimeout from the first fragment (RFC 1122 3.3.2 asks for 60..120 s; we use the low end).
// Overlaps: a fragment wholly inside data already received is a duplicate and ignored; one
// that partly overlaps received data (possibly with different bytes: an evasion attack)
// discards the whole datagram, as RFC 5722 asks for IPv6.
#pragma once

#include "net/clock.h"
#include "net/ipv4.h"
#include "net/packet.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

class Reassembler {
public:
  static constexpr size_t kMaxDatagrams = 16;
  static constexpr size_t kMaxBytes = 256 * 1024;
  static constexpr size_t kMaxHoles = 24;
  static constexpr uint64_t kTimeout = 60 * kNsPerSecond;

  Reassembler() = default;
  ~Reassembler() { clear(); }
  Reassembler(const Reassembler&) = delete;
  Reassembler& operator=(const Reassembler&) = delete;

  // Takes one fragment: `header` was parsed from it and `payload` is the data after the IP
  // header (payload_length bytes). Returns the whole datagram's payload once the last
  // missing piece arrives (with *complete_header: the first fragment's header, total length
  // updated, fragment fields cleared), else an empty PacketPtr.
  PacketPtr add(const Ipv4Header& header, const uint8_t* payload, size_t len, uint64_t now_ns,
                Ipv4Header* complete_header);

  // Drops datagrams older than kTimeout.
  void expire(uint64_t now_ns);
  void clear();

  size_t in_progress() const;
  size_t bytes_in_use() const { return bytes_; }

  // Counters, for tests and statistics.
  struct Stats {
    uint64_t completed = 0, timed_out = 0, evicted = 0, overlaps = 0, invalid = 0;
  };
  const Stats& stats() const { return stats_; }

private:
  struct Hole {
    uint32_t first, last; // inclusive byte range; last = kOpenEnd until the last fragment
  };
  static constexpr uint32_t kOpenEnd = 0xFFFFFFFF;
  struct Datagram {
    bool used = false;
    Ipv4Address source, destination;
    uint8_t protocol = 0;
    uint16_t id = 0;
    uint64_t started_ns = 0;
    Ipv4Header first_header; // from the offset-0 fragment (there once no hole is left)
    uint32_t max_end = 0;    // the highest fragment end received
    uint8_t* buffer = nullptr;
    uint32_t capacity = 0;
    uint32_t total = kOpenEnd; // known once the last fragment (MF=0) arrived
    Hole holes[kMaxHoles];
    size_t hole_count = 0;
  };

  Datagram* find_or_start(const Ipv4Header& header, uint64_t now_ns);
  bool grow(Datagram& d, uint32_t end);
  void discard(Datagram& d);
  // Removes [first, last] from the hole list; false when it would need more than kMaxHoles.
  bool fill(Datagram& d, uint32_t first, uint32_t last);
  // The final fragment fixes the length: holes past it go, the open-ended one is bounded.
  void close_end(Datagram& d, uint32_t total);
  // How many bytes of [first, last] lie in holes.
  uint32_t missing_bytes(const Datagram& d, uint32_t first, uint32_t last) const;

  Datagram datagrams_[kMaxDatagrams];
  size_t bytes_ = 0;
  Stats stats_;
};

} // namespace net
