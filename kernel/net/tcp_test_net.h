// Test support for the TCP tests: two (or more) TCP stacks on virtual time, joined by a
// simulated network that can drop, duplicate, reorder and delay segments, with a bandwidth
// limit and a bounded queue like a real bottleneck link. Deterministic for a given seed.
#pragma once

#include "net/tcp_stack.h"

#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <stdint.h>
#include <vector>

namespace net::tcp::test {

class VirtualClock : public Clock {
public:
  uint64_t now_ns() const override { return now; }
  uint64_t now = 1000000000; // start at 1 s: 0 means "no deadline" to the stack
};

struct Impairments {
  double drop = 0;             // probability a segment is lost
  double duplicate = 0;        // probability it is delivered twice
  double reorder = 0;          // probability it is held back by up to reorder_delay_ns
  uint64_t delay_ns = 1000000; // one-way propagation delay
  uint64_t reorder_delay_ns = 3000000;
  uint64_t bits_per_second = 0; // 0: no bandwidth limit
  size_t queue_limit = 0;       // segments one host may have in the network at once; 0: no limit
};

// A segment as the tests see it.
struct Captured {
  int from; // host index
  Header header;
  size_t payload_len;
  uint64_t time_ns;
};

class Network;

// One host: an address, a Link into the network, and a TCP stack.
class Host : public Link {
public:
  Host(Network& net, int index, uint32_t addr, const Config& config);
  void send(const IpAddr& src, const IpAddr& dst, const Segment& segment, uint16_t mss) override;
  uint32_t large_send_limit(const IpAddr&) override { return large_send; }
  uint16_t mss_for(const IpAddr&) override { return mss; }

  Network& net;
  int index;
  IpAddr addr;
  uint16_t mss = 1460;
  uint32_t large_send = 0;  // > 0: segments up to this payload, cut by the link (TSO)
  uint64_t large_sends = 0; // how many the link cut
  std::unique_ptr<Stack> stack;
};

class Network {
public:
  explicit Network(uint64_t seed = 1) : rng_(seed ? seed : 1) {}
  Host& add_host(uint32_t addr, const Config& config = Config{});

  Impairments impair; // applies to every segment (both directions)
  // Return false to drop a segment (called before the impairments).
  std::function<bool(const Captured&)> filter;
  std::vector<Captured> log; // every segment sent, if logging
  // The longest step of virtual time between two looks at run_until's condition (0: jump
  // straight to the next event), for tests whose applications act on time of their own.
  uint64_t tick_ns = 0;
  bool logging = true;

  // Advances virtual time, delivering segments and running timers, until done() is true
  // or max_ns of virtual time passed. Returns done().
  bool run_until(const std::function<bool()>& done, uint64_t max_ns);
  void run_for(uint64_t ns);

  void transmit(int from, const IpAddr& src, const IpAddr& dst, const uint8_t* seg, size_t len);
  VirtualClock clock;
  std::vector<std::unique_ptr<Host>> hosts;
  uint64_t delivered = 0;
  uint64_t dropped = 0;

private:
  struct Frame {
    uint64_t at;
    uint64_t order;
    int to;
    IpAddr src, dst;
    std::vector<uint8_t> bytes;
    bool operator>(const Frame& o) const { return at != o.at ? at > o.at : order > o.order; }
  };
  double uniform();
  bool step(uint64_t limit_ns);
  int host_of(const IpAddr& a) const;

  uint64_t rng_;
  uint64_t order_ = 0;
  uint64_t wire_free_at_[8] = {}; // per sending host: when its link is idle again
  std::priority_queue<Frame, std::vector<Frame>, std::greater<Frame>> frames_;
  std::vector<size_t> queued_per_host_ = std::vector<size_t>(8, 0);
};

// A deterministic pseudo-random byte stream and its running checksum (for content checks).
struct ByteStream {
  explicit ByteStream(uint64_t seed) : state(seed | 1) {}
  uint8_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<uint8_t>(state >> 24);
  }
  void fill(uint8_t* out, size_t n) {
    for (size_t i = 0; i < n; ++i)
      out[i] = next();
  }
  uint64_t state;
};

} // namespace net::tcp::test
