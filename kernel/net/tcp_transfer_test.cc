// Bulk transfer over a bad network: two stacks joined by a link that drops, duplicates,
// reorders and delays segments behind a bandwidth-limited, bounded queue. 20 MB go each way
// at once; every byte must arrive in order (checked against the generating stream), and
// both sides must close cleanly.
#include "net/tcp_test_net.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <vector>

namespace net::tcp::test {
namespace {

constexpr uint64_t kSec = 1000000000;

struct Pump {
  Connection* conn;
  ByteStream out;
  ByteStream expect;
  size_t to_send;
  size_t sent = 0;
  size_t received = 0;
  size_t mismatches = 0;
  bool shut = false;
  bool eof = false;
  int error = 0;          // the first error send or recv returned
  size_t read_budget = 0; // a slow reader: bytes per millisecond (0: reads all there is)
  const VirtualClock* clock = nullptr;
  uint64_t last_read_ns = 0;
  std::vector<uint8_t> buf = std::vector<uint8_t>(65536);
  std::vector<uint8_t> pending; // generated but not yet accepted by send()

  Pump(Connection* c, uint64_t out_seed, uint64_t in_seed, size_t n)
      : conn(c), out(out_seed), expect(in_seed), to_send(n) {}

  void step() {
    while (sent < to_send) {
      if (pending.empty()) {
        size_t n = to_send - sent < 65536 ? to_send - sent : 65536;
        pending.resize(n);
        out.fill(pending.data(), n);
      }
      auto r = conn->send(pending.data(), pending.size());
      if (!r) {
        if (r.error() != -EAGAIN && error == 0)
          error = r.error();
        break;
      }
      sent += *r;
      pending.erase(pending.begin(), pending.begin() + static_cast<long>(*r));
    }
    if (sent == to_send && !shut) {
      ASSERT_TRUE(conn->shutdown_write());
      shut = true;
    }
    size_t budget = SIZE_MAX;
    if (read_budget) {
      if (clock->now - last_read_ns < 1000000)
        return;
      last_read_ns = clock->now;
      budget = read_budget;
    }
    while (budget > 0) {
      auto r = conn->recv(buf.data(), buf.size() < budget ? buf.size() : budget);
      if (!r) {
        if (r.error() != -EAGAIN && error == 0)
          error = r.error();
        break;
      }
      if (*r == 0) {
        eof = true;
        break;
      }
      for (size_t i = 0; i < *r; ++i)
        mismatches += buf[i] != expect.next();
      received += *r;
      budget -= *r;
    }
  }
};

struct Outcome {
  bool finished;
  ConnectionInfo client_info;
  ConnectionInfo server_info;
  uint64_t large_sends = 0;   // segments the links cut (TSO), both hosts
  size_t largest_payload = 0; // the longest payload that went on the wire
};

Outcome transfer(const Impairments& impair, const Config& base, size_t bytes, uint64_t seed,
                 size_t read_budget = 0, uint32_t large_send = 0) {
  Config cfg = base;
  cfg.isn_secret = {seed, ~seed};
  Network net(seed);
  net.logging = getenv("TCP_DEBUG") != nullptr;
  net.impair = impair;
  Host& a = net.add_host(0x0A000001, cfg);
  Host& b = net.add_host(0x0A000002, cfg);
  a.large_send = b.large_send = large_send;
  size_t largest_payload = 0;
  net.filter = [&](const Captured& c) {
    if (c.payload_len > largest_payload)
      largest_payload = c.payload_len;
    return true;
  };
  Listener* l = *b.stack->listen({b.addr, 80}, 8);
  Connection* client = *a.stack->connect({a.addr, 0}, {b.addr, 80});
  Connection* server = nullptr;
  EXPECT_TRUE(net.run_until([&] { return l->accept_queue_length() > 0; }, 60 * kSec));
  server = l->accept();
  EXPECT_NE(server, nullptr);
  if (!server)
    return {false, {}, {}};
  Pump pc(client, 11, 22, bytes);
  Pump ps(server, 22, 11, bytes);
  pc.read_budget = ps.read_budget = read_budget;
  pc.clock = ps.clock = &net.clock;
  if (read_budget)
    net.tick_ns = 1000000; // the readers wake up every millisecond
  bool done = net.run_until(
      [&] {
        pc.step();
        ps.step();
        return pc.eof && ps.eof;
      },
      3600 * kSec);
  EXPECT_TRUE(done) << "client got " << pc.received << " server got " << ps.received;
  if (pc.received != bytes || ps.received != bytes)
    ADD_FAILURE() << "client " << state_name(client->state()) << " error " << client->take_error()
                  << " sent " << pc.sent << "; server " << state_name(server->state()) << " error "
                  << server->take_error() << " sent " << ps.sent;
  if (net.logging && (pc.received != bytes || ps.received != bytes)) {
    size_t from = net.log.size() > 80 ? net.log.size() - 80 : 0;
    for (size_t i = from; i < net.log.size(); ++i) {
      const Captured& c = net.log[i];
      printf("%d t=%.3f seq=%u ack=%u win=%u len=%zu fl=%x sack=%d\n", c.from, c.time_ns / 1e9,
             c.header.seq, c.header.ack, c.header.window, c.payload_len, c.header.flags,
             c.header.options.sack_count);
    }
  }
  EXPECT_EQ(pc.received, bytes);
  EXPECT_EQ(ps.received, bytes);
  EXPECT_EQ(pc.mismatches, 0u);
  EXPECT_EQ(ps.mismatches, 0u);
  EXPECT_EQ(pc.error, 0);
  EXPECT_EQ(ps.error, 0);
  Outcome o{done, client->info(), server->info(), a.large_sends + b.large_sends, largest_payload};
  if (net.logging) {
    size_t zero = 0;
    for (const Captured& c : net.log)
      zero += c.header.window == 0 && !(c.header.flags & kRst);
    printf("segments %zu, advertising a zero window %zu\n", net.log.size(), zero);
  }
  if (getenv("TCP_DEBUG"))
    printf("virtual %.2f s, delivered %lu dropped %lu, client rtx %lu rto %lu cwnd %u srtt %lu,"
           " server rtx %lu rto %lu\n",
           static_cast<double>(net.clock.now) / 1e9, static_cast<unsigned long>(net.delivered),
           static_cast<unsigned long>(net.dropped),
           static_cast<unsigned long>(o.client_info.retransmitted_segments),
           static_cast<unsigned long>(o.client_info.timeouts), o.client_info.cwnd,
           static_cast<unsigned long>(o.client_info.srtt_us),
           static_cast<unsigned long>(o.server_info.retransmitted_segments),
           static_cast<unsigned long>(o.server_info.timeouts));
  // Both half-closed: now both let go. Each must end without an error, in TIME-WAIT or
  // CLOSED, and after 2 MSL nothing may be left.
  EXPECT_EQ(client->take_error(), 0);
  EXPECT_EQ(server->take_error(), 0);
  client->close();
  server->close();
  l->close();
  net.run_until(
      [&] { return a.stack->connection_count() == 0 && b.stack->connection_count() == 0; },
      600 * kSec);
  EXPECT_EQ(a.stack->connection_count(), 0u);
  EXPECT_EQ(b.stack->connection_count(), 0u);
  return o;
}

Impairments bad_network() {
  Impairments im;
  im.drop = 0.01;
  im.duplicate = 0.005;
  im.reorder = 0.02;
  im.reorder_delay_ns = 4000000;
  im.delay_ns = 5000000;              // 10 ms RTT
  im.bits_per_second = 1000000000ull; // 1 Gbit/s
  im.queue_limit = 2000;
  return im;
}

TEST(TcpTransfer, TwentyMegabytesEachWayOverALossyLinkWithSackAndCubic) {
  Config cfg;
  Outcome o = transfer(bad_network(), cfg, 20u << 20, 7);
  EXPECT_TRUE(o.finished);
  EXPECT_TRUE(o.client_info.sack);
  EXPECT_GT(o.client_info.retransmitted_segments, 0u); // the link did lose segments
}

// With segmentation offload the engine hands the link large sends of whole MSS multiples;
// the link cuts them (as a NIC would), so the wire sees only MSS-sized segments, and loss
// recovery (segment by segment) still works on the same lossy link.
TEST(TcpTransfer, LargeSendsCutByTheLinkOverALossyLink) {
  Config cfg;
  Outcome o = transfer(bad_network(), cfg, 8u << 20, 13, 0, 65000);
  EXPECT_TRUE(o.finished);
  EXPECT_GT(o.large_sends, 100u);
  EXPECT_LE(o.largest_payload, 1448u); // 1460 less the timestamp option
  EXPECT_GT(o.client_info.retransmitted_segments, 0u);
}

TEST(TcpTransfer, NewRenoWithoutSackOrTimestamps) {
  Config cfg;
  cfg.sack = false;
  cfg.timestamps = false;
  cfg.congestion = CongestionAlgorithm::NewReno;
  Outcome o = transfer(bad_network(), cfg, 4u << 20, 9);
  EXPECT_TRUE(o.finished);
  EXPECT_FALSE(o.client_info.sack);
  EXPECT_FALSE(o.client_info.timestamps);
}

// Harsher networks, many seeds, smaller transfers: loss, duplication and reordering at rates
// that exercise every recovery path (timeouts during recovery, lost retransmissions, lost
// FINs and ACKs). TCP_STRESS_SEEDS=n runs n seeds instead of 6.
TEST(TcpTransfer, HarshNetworksManySeeds) {
  int seeds = getenv("TCP_STRESS_SEEDS") ? atoi(getenv("TCP_STRESS_SEEDS")) : 6;
  int first = getenv("TCP_STRESS_FIRST") ? atoi(getenv("TCP_STRESS_FIRST")) : 1;
  for (int seed = first; seed < first + seeds; ++seed) {
    Impairments im;
    im.drop = 0.02 + 0.01 * (seed % 4);
    im.duplicate = 0.03;
    im.reorder = 0.15;
    im.reorder_delay_ns = 8000000;
    im.delay_ns = 2000000 + 1000000 * static_cast<uint64_t>(seed % 5);
    im.bits_per_second = 100000000ull;
    im.queue_limit = 300;
    Config cfg;
    if (seed % 2 == 0) {
      cfg.sack = false;
      cfg.congestion = CongestionAlgorithm::NewReno;
    }
    if (seed % 3 == 0)
      cfg.timestamps = false;
    SCOPED_TRACE(seed);
    if (seed % 5 == 0)
      cfg.receive_buffer = 16384; // small windows: zero windows and probes mid-transfer
    size_t budget = seed % 5 == 0 ? 100 : 0;
    Outcome o = transfer(im, cfg, 1u << 20, static_cast<uint64_t>(seed) * 7919, budget);
    EXPECT_TRUE(o.finished);
    if (!o.finished)
      break;
  }
}

TEST(TcpTransfer, WindowScalingAndAutoTuningGrowTheBuffers) {
  // A clean long fat path: 100 ms RTT at 1 Gbit/s needs far more than 64 KiB in flight.
  Impairments im;
  im.delay_ns = 50000000;
  im.bits_per_second = 1000000000ull;
  Config cfg;
  Network net(3);
  net.logging = false;
  net.impair = im;
  cfg.isn_secret = {1, 2};
  Host& a = net.add_host(0x0A000001, cfg);
  Host& b = net.add_host(0x0A000002, cfg);
  Listener* l = *b.stack->listen({b.addr, 80}, 8);
  Connection* c = *a.stack->connect({a.addr, 0}, {b.addr, 80});
  ASSERT_TRUE(net.run_until([&] { return l->accept_queue_length() > 0; }, 10 * kSec));
  Connection* s = l->accept();
  Pump pc(c, 1, 2, 64u << 20);
  Pump ps(s, 2, 1, 0);
  net.run_until(
      [&] {
        pc.step();
        ps.step();
        return ps.received >= (32u << 20);
      },
      60 * kSec);
  EXPECT_GE(ps.received, 32u << 20);
  EXPECT_EQ(ps.mismatches, 0u);
  EXPECT_GT(s->receive_buffer_size(), 1u << 20);
  EXPECT_GT(c->send_buffer_size(), 1u << 20);
  EXPECT_GT(c->info().send_window, 65535u); // only possible with window scaling
  c->abort();
  s->abort();
  l->close();
}

} // namespace
} // namespace net::tcp::test
