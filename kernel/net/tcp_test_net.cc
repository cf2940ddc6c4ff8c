#include "net/tcp_test_net.h"

#include "net/tcp_large_send.h"

#include <stdlib.h>
#include <string.h>
#include <vector>

// kernel_net_test runs kernel code on the host: its heap is the C library's.
void* kmalloc(size_t n) {
  return malloc(n);
}
void* kzalloc(size_t n) {
  return calloc(1, n);
}
void kfree(void* p) {
  free(p);
}

namespace net::tcp::test {

Host::Host(Network& n, int i, uint32_t a, const Config& config)
    : net(n), index(i), addr(IpAddr::v4(a)) {
  stack = std::make_unique<Stack>(*this, n.clock, config);
}

void Host::send(const IpAddr& src, const IpAddr& dst, const Segment& segment, uint16_t seg_mss) {
  size_t header_len = segment_header_length(segment);
  if (header_len && segment.length() - header_len > seg_mss && seg_mss > 0) {
    // A large send: cut here, as a NIC with segmentation offload would.
    ++large_sends;
    std::vector<uint8_t> work(header_len + seg_mss);
    cut_large_send(segment, seg_mss, work.data(), [&](const uint8_t* bytes, size_t len) {
      net.transmit(index, src, dst, bytes, len);
    });
    return;
  }
  std::vector<uint8_t> bytes(segment.length());
  segment.copy_to(bytes.data());
  net.transmit(index, src, dst, bytes.data(), bytes.size());
}

Host& Network::add_host(uint32_t addr, const Config& config) {
  hosts.push_back(std::make_unique<Host>(*this, static_cast<int>(hosts.size()), addr, config));
  return *hosts.back();
}

double Network::uniform() {
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  return static_cast<double>(rng_ >> 11) / static_cast<double>(1ull << 53);
}

int Network::host_of(const IpAddr& a) const {
  for (const auto& h : hosts)
    if (h->addr == a)
      return h->index;
  return -1;
}

void Network::transmit(int from, const IpAddr& src, const IpAddr& dst, const uint8_t* seg,
                       size_t len) {
  Captured c{from, {}, 0, clock.now};
  parse_header(seg, len, c.header);
  c.payload_len = len - c.header.length;
  if (logging)
    log.push_back(c);
  if (filter && !filter(c)) {
    ++dropped;
    return;
  }
  int to = host_of(dst);
  if (to < 0)
    return;
  if (impair.queue_limit && queued_per_host_[from] >= impair.queue_limit) {
    ++dropped; // tail drop at the bottleneck
    return;
  }
  // Serialization at the sender's link rate, then propagation.
  uint64_t start = clock.now;
  if (impair.bits_per_second) {
    if (wire_free_at_[from] > start)
      start = wire_free_at_[from];
    wire_free_at_[from] = start + (len + 40) * 8ull * 1000000000ull / impair.bits_per_second;
    start = wire_free_at_[from];
  }
  if (uniform() < impair.drop) {
    ++dropped;
    return;
  }
  int copies = uniform() < impair.duplicate ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    Frame f;
    f.at = start + impair.delay_ns;
    if (uniform() < impair.reorder)
      f.at += static_cast<uint64_t>(uniform() * static_cast<double>(impair.reorder_delay_ns));
    f.to = to;
    f.src = src;
    f.dst = dst;
    f.bytes.assign(seg, seg + len);
    ++queued_per_host_[from];
    f.order = order_++ * 8 + static_cast<uint64_t>(from); // low bits: the sender
    frames_.push(std::move(f));
  }
}

bool Network::step(uint64_t limit_ns) {
  uint64_t next = limit_ns;
  if (tick_ns && clock.now + tick_ns < next)
    next = clock.now + tick_ns;
  if (!frames_.empty() && frames_.top().at < next)
    next = frames_.top().at;
  for (const auto& h : hosts) {
    uint64_t d = h->stack->next_deadline_ns();
    if (d != 0 && d < next)
      next = d;
  }
  if (next > clock.now)
    clock.now = next;
  bool did = false;
  while (!frames_.empty() && frames_.top().at <= clock.now) {
    Frame f = frames_.top();
    frames_.pop();
    --queued_per_host_[f.order % 8];
    ++delivered;
    hosts[f.to]->stack->receive(f.src, f.dst, f.bytes.data(), f.bytes.size());
    did = true;
  }
  for (const auto& h : hosts) {
    uint64_t d = h->stack->next_deadline_ns();
    if (d != 0 && d <= clock.now) {
      h->stack->poll_timers();
      did = true;
    }
  }
  return did || clock.now < limit_ns;
}

bool Network::run_until(const std::function<bool()>& done, uint64_t max_ns) {
  uint64_t limit = clock.now + max_ns;
  while (!done()) {
    if (clock.now >= limit)
      return false;
    step(limit);
  }
  return true;
}

void Network::run_for(uint64_t ns) {
  run_until([] { return false; }, ns);
}

} // namespace net::tcp::test
