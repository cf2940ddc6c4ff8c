// Every state transition of RFC 9293's diagram, RST handling, and the timers (RTO and its
// backoff, delayed ACK, Nagle, zero-window probes, keepalive, TIME-WAIT), on two stacks
// joined by an ideal or a scripted network.
#include "net/tcp_test_net.h"

#include <gtest/gtest.h>
#include <memory>
#include <string.h>
#include <string>
#include <vector>

namespace net::tcp::test {
namespace {

constexpr uint64_t kMs = 1000000;
constexpr uint64_t kSec = 1000000000;

Config test_config() {
  Config c;
  c.isn_secret = {0x1234, 0x5678};
  c.msl_us = 1000000; // TIME-WAIT 2 s keeps the tests short
  return c;
}

class TcpStateTest : public ::testing::Test {
protected:
  TcpStateTest()
      : a(net.add_host(0x0A000001, test_config())), b(net.add_host(0x0A000002, test_config())) {}

  Endpoint a_ep(uint16_t port = 0) { return {a.addr, port}; }
  Endpoint b_ep(uint16_t port) { return {b.addr, port}; }

  // Connects a -> b:80 and accepts; both ESTABLISHED.
  void open_pair(uint16_t port = 80) {
    auto l = b.stack->listen(b_ep(port), 16);
    ASSERT_TRUE(l);
    listener = *l;
    auto c = a.stack->connect(a_ep(), b_ep(port));
    ASSERT_TRUE(c);
    client = *c;
    ASSERT_TRUE(net.run_until([&] { return listener->accept_queue_length() == 1; }, kSec));
    server = listener->accept();
    ASSERT_NE(server, nullptr);
    ASSERT_EQ(client->state(), State::Established);
    ASSERT_EQ(server->state(), State::Established);
    net.log.clear();
  }

  // Segments host `from` sent since the log was cleared, with the given flag.
  int count(int from, uint8_t flag) {
    int n = 0;
    for (const auto& c : net.log)
      if (c.from == from && (c.header.flags & flag))
        ++n;
    return n;
  }

  std::string read_all(Connection* c) {
    std::string s;
    char buf[4096];
    for (;;) {
      auto r = c->recv(buf, sizeof buf);
      if (!r || *r == 0)
        break;
      s.append(buf, *r);
    }
    return s;
  }

  Network net;
  Host& a;
  Host& b;
  Listener* listener = nullptr;
  Connection* client = nullptr;
  Connection* server = nullptr;
};

TEST_F(TcpStateTest, ThreeWayHandshakeVisitsSynSentAndSynReceived) {
  auto l = b.stack->listen(b_ep(80), 16);
  ASSERT_TRUE(l);
  auto c = a.stack->connect(a_ep(), b_ep(80));
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)->state(), State::SynSent);
  EXPECT_EQ((*c)->events() & kWritable, 0u);
  // The SYN arrives: the server side is SYN-RECEIVED, in the SYN queue.
  net.run_until([&] { return (*l)->syn_queue_length() == 1; }, kSec);
  EXPECT_EQ((*l)->syn_queue_length(), 1);
  EXPECT_EQ((*l)->accept(), nullptr);
  // SYN-ACK arrives: the client is ESTABLISHED before the server.
  net.run_until([&] { return (*c)->state() == State::Established; }, kSec);
  EXPECT_EQ((*l)->accept_queue_length(), 0);
  EXPECT_NE((*c)->events() & kWritable, 0u);
  net.run_until([&] { return (*l)->accept_queue_length() == 1; }, kSec);
  Connection* s = (*l)->accept();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->state(), State::Established);
  EXPECT_EQ((*l)->syn_queue_length(), 0);
  // Options were negotiated: window scaling, timestamps, SACK, MSS less the timestamps.
  ConnectionInfo i = (*c)->info();
  EXPECT_TRUE(i.timestamps);
  EXPECT_TRUE(i.sack);
  EXPECT_EQ(i.send_wscale, 7);
  EXPECT_EQ(i.receive_wscale, 7);
  EXPECT_EQ(i.send_mss, 1448u);
  EXPECT_GT(i.srtt_us, 0u); // the handshake gave an RTT sample
}

TEST_F(TcpStateTest, DataFlowsBothWays) {
  open_pair();
  ASSERT_TRUE(client->send("hello", 5));
  ASSERT_TRUE(server->send("world!", 6));
  net.run_for(100 * kMs);
  EXPECT_EQ(read_all(server), "hello");
  EXPECT_EQ(read_all(client), "world!");
  char buf[8];
  auto r = client->recv(buf, sizeof buf);
  EXPECT_EQ(r.error(), -EAGAIN);
}

TEST_F(TcpStateTest, ActiveCloseGoesThroughFinWaitAndTimeWait) {
  open_pair();
  client->close();
  EXPECT_EQ(client->state(), State::FinWait1);
  net.run_until([&] { return server->state() == State::CloseWait; }, kSec);
  EXPECT_EQ(server->state(), State::CloseWait);
  char buf[4];
  EXPECT_EQ(*server->recv(buf, 4), 0u); // end of stream
  EXPECT_NE(server->events() & kReadHangup, 0u);
  net.run_until([&] { return client->state() == State::FinWait2; }, kSec);
  EXPECT_EQ(client->state(), State::FinWait2);
  // The server may still send in CLOSE-WAIT; the half-closed client still receives it,
  // but its owner has gone, so the data only gets acknowledged.
  ASSERT_TRUE(server->send("late", 4));
  server->close();
  EXPECT_EQ(server->state(), State::LastAck);
  net.run_until([&] { return client->state() == State::TimeWait; }, kSec);
  EXPECT_EQ(client->state(), State::TimeWait);
  size_t before = a.stack->connection_count();
  EXPECT_EQ(before, 1u);
  // LAST-ACK -> CLOSED: the server's connection is freed.
  net.run_until([&] { return b.stack->connection_count() == 0; }, kSec);
  EXPECT_EQ(b.stack->connection_count(), 0u);
  // TIME-WAIT lasts 2 MSL (2 s here), then the connection is gone.
  net.run_for(1500 * kMs);
  EXPECT_EQ(a.stack->connection_count(), 1u);
  net.run_for(600 * kMs);
  EXPECT_EQ(a.stack->connection_count(), 0u);
}

TEST_F(TcpStateTest, HalfCloseKeepsReceiving) {
  open_pair();
  ASSERT_TRUE(client->shutdown_write());
  net.run_until([&] { return client->state() == State::FinWait2; }, kSec);
  EXPECT_EQ(client->state(), State::FinWait2);
  EXPECT_EQ(server->state(), State::CloseWait);
  EXPECT_EQ(client->send("x", 1).error(), -EPIPE);
  ASSERT_TRUE(server->send("back", 4));
  net.run_for(100 * kMs);
  EXPECT_EQ(read_all(client), "back");
}

TEST_F(TcpStateTest, SimultaneousOpen) {
  auto c1 = a.stack->connect(a_ep(5000), b_ep(6000));
  auto c2 = b.stack->connect(b_ep(6000), a_ep(5000));
  ASSERT_TRUE(c1);
  ASSERT_TRUE(c2);
  // Both SYNs cross: each side goes SYN-SENT -> SYN-RECEIVED -> ESTABLISHED.
  net.run_until([&] { return (*c1)->state() != State::SynSent; }, kSec);
  EXPECT_EQ((*c1)->state(), State::SynReceived);
  EXPECT_EQ((*c2)->state(), State::SynReceived);
  net.run_until(
      [&] { return (*c1)->state() == State::Established && (*c2)->state() == State::Established; },
      kSec);
  EXPECT_EQ((*c1)->state(), State::Established);
  EXPECT_EQ((*c2)->state(), State::Established);
  ASSERT_TRUE((*c1)->send("ping", 4));
  net.run_for(100 * kMs);
  EXPECT_EQ(read_all(*c2), "ping");
}

TEST_F(TcpStateTest, SimultaneousCloseGoesThroughClosing) {
  open_pair();
  client->close();
  server->close();
  EXPECT_EQ(client->state(), State::FinWait1);
  EXPECT_EQ(server->state(), State::FinWait1);
  net.run_until([&] { return client->state() != State::FinWait1; }, kSec);
  EXPECT_EQ(client->state(), State::Closing);
  EXPECT_EQ(server->state(), State::Closing);
  net.run_until([&] { return client->state() == State::TimeWait; }, kSec);
  EXPECT_EQ(client->state(), State::TimeWait);
  EXPECT_EQ(server->state(), State::TimeWait);
  net.run_for(3 * kSec);
  EXPECT_EQ(a.stack->connection_count(), 0u);
  EXPECT_EQ(b.stack->connection_count(), 0u);
}

TEST_F(TcpStateTest, FinWait1StraightToTimeWaitWhenFinAndAckArriveTogether) {
  open_pair();
  // Hold the server's pure ACK of our FIN back so that its FIN (which also acknowledges
  // ours) is the first thing the client hears.
  bool first_ack_dropped = false;
  net.filter = [&](const Captured& c) {
    if (c.from == 1 && !first_ack_dropped && c.header.flags == kAck) {
      first_ack_dropped = true;
      return false;
    }
    return true;
  };
  client->close();
  net.run_until([&] { return server->state() == State::CloseWait; }, kSec);
  server->close();
  net.run_until([&] { return client->state() != State::FinWait1; }, kSec);
  EXPECT_TRUE(first_ack_dropped);
  EXPECT_EQ(client->state(), State::TimeWait);
}

TEST_F(TcpStateTest, ConnectToClosedPortIsRefused) {
  auto c = a.stack->connect(a_ep(), b_ep(81));
  ASSERT_TRUE(c);
  net.run_until([&] { return (*c)->state() == State::Closed; }, kSec);
  EXPECT_EQ((*c)->state(), State::Closed);
  EXPECT_NE((*c)->events() & kError, 0u);
  EXPECT_EQ((*c)->take_error(), -ECONNREFUSED);
  EXPECT_EQ((*c)->take_error(), 0);
  EXPECT_EQ(count(1, kRst), 1);
  (*c)->close();
  EXPECT_EQ(a.stack->connection_count(), 0u);
}

TEST_F(TcpStateTest, IcmpUnreachableEndsAConnectionStillOpening) {
  // The SYN vanishes (as behind a host that answers ICMP port unreachable instead of RST).
  net.filter = [](const Captured&) { return false; };
  auto c = a.stack->connect(a_ep(), b_ep(81));
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)->state(), State::SynSent);
  a.stack->icmp_error((*c)->local(), (*c)->remote(), EMSGSIZE); // path MTU: not fatal
  EXPECT_EQ((*c)->state(), State::SynSent);
  a.stack->icmp_error((*c)->local(), (*c)->remote(), ECONNREFUSED);
  EXPECT_EQ((*c)->state(), State::Closed);
  EXPECT_NE((*c)->events() & kError, 0u);
  EXPECT_EQ((*c)->take_error(), -ECONNREFUSED);
  (*c)->close();
  EXPECT_EQ(a.stack->connection_count(), 0u);
}

TEST_F(TcpStateTest, IcmpErrorsAreSoftOnceSynchronized) {
  open_pair();
  a.stack->icmp_error(client->local(), client->remote(), ECONNREFUSED);
  EXPECT_EQ(client->state(), State::Established);
  EXPECT_EQ(client->take_error(), 0);
}

TEST_F(TcpStateTest, ListenersServeTheirAddressFamilies) {
  IpAddr any6;
  any6.family = 6;
  auto v6only = b.stack->listen({any6, 80}, 4);
  ASSERT_TRUE(v6only);
  // An IPv4 SYN finds no listener there: refused.
  auto c = a.stack->connect(a_ep(), b_ep(80));
  ASSERT_TRUE(c);
  net.run_until([&] { return (*c)->state() == State::Closed; }, kSec);
  EXPECT_EQ((*c)->take_error(), -ECONNREFUSED);
  (*c)->close();
  // IPv4 may listen on the same port beside it; a dual-stack listener may not.
  EXPECT_EQ(b.stack->listen({any6, 80}, 4, /*dual_stack=*/true).error(), -EADDRINUSE);
  auto v4 = b.stack->listen({IpAddr::v4(0), 80}, 4);
  ASSERT_TRUE(v4);
  (*v4)->close();
  (*v6only)->close();
  // A dual-stack listener takes IPv4 clients and keeps IPv4 listeners off its port.
  auto dual = b.stack->listen({any6, 80}, 4, /*dual_stack=*/true);
  ASSERT_TRUE(dual);
  EXPECT_EQ(b.stack->listen({IpAddr::v4(0), 80}, 4).error(), -EADDRINUSE);
  auto c2 = a.stack->connect(a_ep(), b_ep(80));
  ASSERT_TRUE(c2);
  net.run_until([&] { return (*dual)->accept_queue_length() > 0; }, kSec);
  Connection* accepted = (*dual)->accept();
  ASSERT_NE(accepted, nullptr);
  EXPECT_EQ(accepted->local().addr, b.addr);
  accepted->abort();
  (*c2)->abort();
  (*dual)->close();
}

TEST_F(TcpStateTest, AbortResetsThePeer) {
  open_pair();
  client->abort();
  net.run_until([&] { return server->state() == State::Closed; }, kSec);
  EXPECT_EQ(server->state(), State::Closed);
  char buf[4];
  EXPECT_EQ(server->recv(buf, 4).error(), -ECONNRESET);
  EXPECT_EQ(server->send("x", 1).error(), -EPIPE);
  server->close();
  EXPECT_EQ(a.stack->connection_count(), 0u);
  EXPECT_EQ(b.stack->connection_count(), 0u);
}

TEST_F(TcpStateTest, LingerZeroAndUnreadDataCloseWithRst) {
  open_pair();
  client->set_linger(true, 0);
  client->close();
  EXPECT_EQ(count(0, kRst), 1);
  EXPECT_EQ(count(0, kFin), 0);
  net.run_until([&] { return server->state() == State::Closed; }, kSec);
  EXPECT_EQ(server->take_error(), -ECONNRESET);
  server->close();

  open_pair(81);
  ASSERT_TRUE(client->send("unread", 6));
  net.run_for(100 * kMs);
  server->close(); // RFC 2525: data left unread -> RST, not FIN
  EXPECT_EQ(count(1, kRst), 1);
  net.run_until([&] { return client->state() == State::Closed; }, kSec);
  EXPECT_EQ(client->take_error(), -ECONNRESET);
  client->close();
}

TEST_F(TcpStateTest, ResetOutsideTheExactSequenceGetsAChallengeAck) {
  open_pair();
  // A forged RST inside the window but not at RCV.NXT (RFC 5961 3.2).
  ConnectionInfo before = server->info();
  (void)before;
  uint8_t seg[kMaxHeader];
  Header h;
  h.src_port = client->local().port;
  h.dst_port = 80;
  // Find the server's RCV.NXT from the last segment the client sent.
  ASSERT_TRUE(client->send("a", 1));
  net.run_for(100 * kMs);
  Seq client_next = 0;
  for (const auto& c : net.log)
    if (c.from == 0)
      client_next = c.header.seq + static_cast<Seq>(c.payload_len);
  h.seq = client_next + 100;
  h.flags = kRst;
  size_t n = write_header(seg, h);
  net.log.clear();
  b.stack->receive(a.addr, b.addr, seg, n);
  EXPECT_EQ(server->state(), State::Established);
  EXPECT_EQ(count(1, kAck), 1); // the challenge
  // Exactly at RCV.NXT it resets.
  h.seq = client_next;
  n = write_header(seg, h);
  b.stack->receive(a.addr, b.addr, seg, n);
  EXPECT_EQ(server->state(), State::Closed);
  EXPECT_EQ(server->take_error(), -ECONNRESET);
}

TEST_F(TcpStateTest, RstInSynReceivedReturnsListenerToListen) {
  auto l = b.stack->listen(b_ep(80), 16);
  ASSERT_TRUE(l);
  // The client's answer to the SYN-ACK is replaced by a RST at the right sequence number.
  net.filter = [&](const Captured& c) { return !(c.from == 1 && (c.header.flags & kSyn)); };
  auto c = a.stack->connect(a_ep(), b_ep(80));
  ASSERT_TRUE(c);
  net.run_until([&] { return (*l)->syn_queue_length() == 1; }, kSec);
  Header syn_ack;
  Seq client_iss = net.log[0].header.seq;
  uint8_t seg[kMaxHeader];
  Header rst;
  rst.src_port = (*c)->local().port;
  rst.dst_port = 80;
  rst.seq = client_iss + 1;
  rst.flags = kRst;
  size_t n = write_header(seg, rst);
  b.stack->receive(a.addr, b.addr, seg, n);
  EXPECT_EQ((*l)->syn_queue_length(), 0);
  EXPECT_EQ(b.stack->connection_count(), 0u);
  (void)syn_ack;
  (*c)->abort();
}

TEST_F(TcpStateTest, SynRetransmissionBacksOffThenTimesOut) {
  net.filter = [](const Captured&) { return false; }; // a black hole
  auto c = a.stack->connect(a_ep(), b_ep(80));
  ASSERT_TRUE(c);
  net.run_until([&] { return (*c)->state() == State::Closed; }, 200 * kSec);
  EXPECT_EQ((*c)->take_error(), -ETIMEDOUT);
  // 1 + 6 SYNs, 1 s apart, then 2, 4, 8, 16, 32 s (RFC 6298 5.5); the last waits 64 s.
  std::vector<uint64_t> times;
  for (const auto& s : net.log)
    times.push_back(s.time_ns);
  ASSERT_EQ(times.size(), 7u);
  for (size_t i = 1; i < times.size(); ++i)
    EXPECT_EQ(times[i] - times[i - 1], (1ull << (i - 1)) * kSec) << i;
  (*c)->close();
}

TEST_F(TcpStateTest, LostSynAckIsResentWhenTheSynRepeats) {
  auto l = b.stack->listen(b_ep(80), 16);
  ASSERT_TRUE(l);
  int syn_acks = 0;
  net.filter = [&](const Captured& c) {
    bool syn_ack = c.from == 1 && (c.header.flags & kSyn);
    return !(syn_ack && syn_acks++ == 0); // lose the first SYN-ACK
  };
  auto c = a.stack->connect(a_ep(), b_ep(80));
  ASSERT_TRUE(c);
  net.run_until([&] { return (*l)->accept_queue_length() == 1; }, 5 * kSec);
  EXPECT_EQ((*c)->state(), State::Established);
  EXPECT_EQ((*l)->accept_queue_length(), 1);
  EXPECT_EQ(count(0, kSyn), 2); // the client's SYN went twice (1 s timer) ...
  EXPECT_GE(syn_acks, 2);       // ... and the server answered again
  // Karn's rule forbids timing the retransmitted SYN, but the echoed timestamp still gives
  // an RTT sample.
  EXPECT_GT((*c)->info().srtt_us, 0u);
}

TEST_F(TcpStateTest, DataRetransmissionsBackOffThenTimeOut) {
  open_pair();
  net.filter = [](const Captured& c) { return c.from != 0; }; // the client's packets vanish
  uint64_t start = net.clock.now;
  ASSERT_TRUE(client->send("doomed", 6));
  net.run_until([&] { return client->state() == State::Closed; }, 2000 * kSec);
  EXPECT_EQ(client->take_error(), -ETIMEDOUT);
  std::vector<uint64_t> times;
  for (const auto& c : net.log)
    if (c.from == 0 && c.payload_len > 0)
      times.push_back(c.time_ns - start);
  ASSERT_EQ(times.size(), 16u); // the first send and 15 retransmissions
  EXPECT_EQ(times[1], 200 * kMs);
  for (size_t i = 2; i < 9; ++i) // each wait doubles (RFC 6298 5.5) ...
    EXPECT_EQ(times[i] - times[i - 1], 2 * (times[i - 1] - times[i - 2])) << i;
  for (size_t i = 11; i < times.size(); ++i) // ... up to the 120 s ceiling
    EXPECT_EQ(times[i] - times[i - 1], 120 * kSec) << i;
  EXPECT_EQ(count(0, kRst), 1); // and the peer is told, should it still listen
}

TEST_F(TcpStateTest, SurvivesRandomSegments) {
  // Random bytes, and valid headers with random numbers, flags and options: nothing may
  // crash (the ASan build checks memory), and the stacks keep their bookkeeping.
  open_pair();
  ByteStream rnd(99);
  std::vector<uint8_t> seg(2000);
  for (int i = 0; i < 20000; ++i) {
    size_t len = rnd.next() % 2 ? 20 + rnd.next() * 4 % 1500 : rnd.next() % 64;
    rnd.fill(seg.data(), len);
    if (len >= 20 && i % 2 == 0) {
      // Aim at the live connection or the listener so the state machine is reached.
      seg[0] = static_cast<uint8_t>(client->local().port >> 8);
      seg[1] = static_cast<uint8_t>(client->local().port);
      seg[2] = 0;
      seg[3] = 80;
      seg[12] = static_cast<uint8_t>((5 + rnd.next() % 11) << 4);
    }
    b.stack->receive(a.addr, b.addr, seg.data(), len);
    if (i % 100 == 0)
      net.run_for(10 * kMs);
  }
  net.run_for(5 * kSec);
  server->close();
  client->close();
  listener->close();
  net.filter = nullptr;
  net.run_for(300 * kSec);
  EXPECT_EQ(a.stack->connection_count(), 0u);
  EXPECT_EQ(b.stack->connection_count(), 0u);
}

TEST_F(TcpStateTest, LostDataIsRetransmittedAfterTheRto) {
  open_pair();
  uint64_t rto = client->info().rto_us;
  EXPECT_EQ(rto, 200000u); // a 2 ms RTT: the 200 ms floor
  int data_seen = 0;
  net.filter = [&](const Captured& c) {
    return !(c.from == 0 && c.payload_len > 0 && data_seen++ == 0);
  };
  uint64_t sent_at = net.clock.now;
  ASSERT_TRUE(client->send("lost", 4));
  net.run_until([&] { return (server->events() & kReadable) != 0; }, 5 * kSec);
  std::vector<uint64_t> data_times;
  for (const auto& c : net.log)
    if (c.from == 0 && c.payload_len > 0)
      data_times.push_back(c.time_ns);
  ASSERT_EQ(data_times.size(), 2u);
  EXPECT_EQ(data_times[1] - sent_at, rto * 1000);
  EXPECT_EQ(read_all(server), "lost");
  EXPECT_EQ(client->info().timeouts, 1u);
}

TEST_F(TcpStateTest, DelayedAckWaitsForASecondSegmentOrTheTimer) {
  open_pair();
  ASSERT_TRUE(client->send("one", 3));
  net.run_for(5 * kMs); // the segment has arrived (1 ms delay) but is not acknowledged yet
  EXPECT_EQ(count(1, kAck), 0);
  net.run_for(50 * kMs); // the 40 ms delayed-ACK timer
  ASSERT_EQ(count(1, kAck), 1);
  uint64_t ack_time = net.log.back().time_ns;
  EXPECT_GE(ack_time - net.log.front().time_ns, 40 * kMs);
  // Two full segments: acknowledged at once.
  net.log.clear();
  std::string big(2 * 1448, 'x');
  ASSERT_TRUE(client->send(big.data(), big.size()));
  net.run_for(5 * kMs);
  EXPECT_EQ(count(1, kAck), 1);
}

TEST_F(TcpStateTest, NagleHoldsSmallSegmentsUnlessNodelay) {
  open_pair();
  ASSERT_TRUE(client->send("a", 1));
  ASSERT_TRUE(client->send("b", 1));
  ASSERT_TRUE(client->send("c", 1));
  // Only the first small segment goes out while it is unacknowledged.
  int data = 0;
  for (const auto& c : net.log)
    data += c.from == 0 && c.payload_len > 0;
  EXPECT_EQ(data, 1);
  net.run_for(100 * kMs);
  EXPECT_EQ(read_all(server), "abc");
  net.log.clear();
  client->set_nodelay(true);
  ASSERT_TRUE(client->send("d", 1));
  ASSERT_TRUE(client->send("e", 1));
  data = 0;
  for (const auto& c : net.log)
    data += c.from == 0 && c.payload_len > 0;
  EXPECT_EQ(data, 2);
}

TEST_F(TcpStateTest, ZeroWindowIsProbedUntilItOpens) {
  open_pair();
  // The server never reads: the client fills its window (64 KiB) and its buffer.
  std::string chunk(16384, 'z');
  size_t sent = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = client->send(chunk.data(), chunk.size());
    if (r)
      sent += *r;
    net.run_for(20 * kMs);
  }
  EXPECT_EQ(client->info().send_window, 0u);
  ASSERT_FALSE(net.log.empty());
  EXPECT_EQ(net.log.back().from, 1);
  EXPECT_EQ(net.log.back().header.window, 0); // the server offers nothing
  // The window was rounded down to zero (scale 7): a few bytes the server had promised
  // before are still taken, one probe at a time. Then the probes find it truly closed and
  // back off.
  net.run_for(20 * kSec);
  net.log.clear();
  net.run_for(30 * kSec);
  std::vector<uint64_t> probe_times;
  for (const auto& c : net.log) {
    if (c.from == 0)
      probe_times.push_back(c.time_ns);
    EXPECT_LE(c.payload_len, 1u); // one byte beyond the window at a time
  }
  ASSERT_GE(probe_times.size(), 2u);
  EXPECT_LE(probe_times.size(), 8u);
  for (size_t i = 2; i < probe_times.size(); ++i)
    EXPECT_GT(probe_times[i] - probe_times[i - 1], probe_times[i - 1] - probe_times[i - 2]);
  EXPECT_EQ(client->state(), State::Established); // the peer answers: no timeout
  // Reading opens the window; everything arrives.
  std::string got = read_all(server);
  net.run_until(
      [&] {
        std::string more = read_all(server);
        got += more;
        return got.size() == sent;
      },
      30 * kSec);
  EXPECT_EQ(got.size(), sent);
  EXPECT_EQ(got, std::string(sent, 'z'));
}

TEST_F(TcpStateTest, KeepaliveProbesAndTimesOutADeadPeer) {
  open_pair();
  client->set_keepalive(true);
  client->set_keepalive_params(10 * 1000000, 1 * 1000000, 3);
  net.run_for(25 * kSec);
  EXPECT_EQ(client->state(), State::Established);
  EXPECT_GE(count(0, kAck), 2); // a probe about every 10 s, each answered
  EXPECT_GE(count(1, kAck), 2);
  net.filter = [](const Captured& c) { return c.from == 0; }; // the server goes silent
  net.log.clear();
  net.run_until([&] { return client->state() == State::Closed; }, 30 * kSec);
  EXPECT_EQ(client->take_error(), -ETIMEDOUT);
}

TEST_F(TcpStateTest, BacklogOf4096Handshakes) {
  auto l = b.stack->listen(b_ep(80), 4096);
  ASSERT_TRUE(l);
  net.logging = false;
  std::vector<Connection*> clients;
  for (int i = 0; i < 4096; ++i) {
    auto c = a.stack->connect(a_ep(), b_ep(80));
    ASSERT_TRUE(c);
    clients.push_back(*c);
  }
  net.run_until([&] { return (*l)->accept_queue_length() == 4096; }, 5 * kSec);
  EXPECT_EQ((*l)->accept_queue_length(), 4096);
  // One more is not taken while the queue is full: its SYNs are dropped.
  auto extra = a.stack->connect(a_ep(), b_ep(80));
  ASSERT_TRUE(extra);
  net.run_for(500 * kMs);
  EXPECT_EQ((*extra)->state(), State::SynSent);
  int accepted = 0;
  while (Connection* s = (*l)->accept()) {
    ++accepted;
    s->abort();
  }
  EXPECT_EQ(accepted, 4096);
  net.run_until([&] { return (*extra)->state() == State::Established; }, 5 * kSec);
  EXPECT_EQ((*extra)->state(), State::Established);
  for (Connection* c : clients)
    c->close();
  (*extra)->close();
  (*l)->close();
}

// A SYN flood from addresses that never answer fills the SYN queue with handshakes that
// would last minutes. Young ones are kept (they may be real clients), but once the oldest
// has had to send its SYN-ACK again, a new SYN takes its place: a real client gets in
// within a few seconds instead of after the flood's handshakes time out.
TEST_F(TcpStateTest, AFullSynQueueGivesUpOverdueHandshakesForNewClients) {
  auto l = b.stack->listen(b_ep(80), 8);
  ASSERT_TRUE(l);
  std::vector<Connection*> flood;
  std::vector<uint16_t> flood_ports;
  for (int i = 0; i < 8; ++i) {
    auto c = a.stack->connect(a_ep(), b_ep(80));
    ASSERT_TRUE(c);
    flood.push_back(*c);
    flood_ports.push_back((*c)->local().port);
  }
  // The SYN-ACKs to the flood's ports are lost, as those to made-up addresses are.
  net.filter = [&](const Captured& c) {
    if (c.from != 1)
      return true;
    for (uint16_t port : flood_ports)
      if (c.header.dst_port == port)
        return false;
    return true;
  };
  net.run_for(200 * kMs);
  EXPECT_EQ((*l)->syn_queue_length(), 8);
  auto real = a.stack->connect(a_ep(), b_ep(80));
  ASSERT_TRUE(real);
  net.run_for(300 * kMs);
  EXPECT_EQ((*real)->state(), State::SynSent); // no handshake was overdue yet: dropped
  net.run_until([&] { return (*real)->state() == State::Established; }, 5 * kSec);
  EXPECT_EQ((*real)->state(), State::Established);
  net.run_until([&] { return (*l)->accept_queue_length() == 1; }, kSec);
  Connection* s = (*l)->accept();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->remote().port, (*real)->local().port);
  EXPECT_LE((*l)->syn_queue_length(), 7);
  s->abort();
  (*real)->close();
  for (Connection* c : flood)
    c->abort();
  (*l)->close();
}

TEST_F(TcpStateTest, ListenerCloseResetsUnacceptedConnections) {
  auto l = b.stack->listen(b_ep(80), 4);
  ASSERT_TRUE(l);
  auto c = a.stack->connect(a_ep(), b_ep(80));
  ASSERT_TRUE(c);
  net.run_until([&] { return (*l)->accept_queue_length() == 1; }, kSec);
  (*l)->close();
  net.run_until([&] { return (*c)->state() == State::Closed; }, kSec);
  EXPECT_EQ((*c)->take_error(), -ECONNRESET);
  EXPECT_TRUE(b.stack->listen(b_ep(80), 4)); // the port is free again
}

TEST_F(TcpStateTest, ReadinessCallbackFires) {
  open_pair();
  uint32_t seen = 0;
  int calls = 0;
  auto cb = [](void* ctx, uint32_t ev) {
    auto* p = static_cast<std::pair<uint32_t*, int*>*>(ctx);
    *p->first |= ev;
    ++*p->second;
  };
  std::pair<uint32_t*, int*> ctx{&seen, &calls};
  server->set_observer({cb, &ctx});
  ASSERT_TRUE(client->send("x", 1));
  net.run_for(10 * kMs);
  EXPECT_GT(calls, 0);
  EXPECT_NE(seen & kReadable, 0u);
  client->close();
  net.run_for(10 * kMs);
  EXPECT_NE(seen & kReadHangup, 0u);
}

// A writer that filled the send buffer hears from the connection once a third of it is
// free (Linux's rule for EPOLLOUT), not at every ACK: each wake-up would otherwise copy one
// segment's worth.
TEST_F(TcpStateTest, FullSendBufferIsWritableAgainOnlyAtAThirdFree) {
  open_pair();
  std::vector<char> chunk(256 * 1024, 'w');
  while (client->send(chunk.data(), chunk.size())) {
  } // nothing is acknowledged while the network stands still
  size_t capacity = client->send_buffer_size();
  EXPECT_EQ(client->events() & kWritable, 0u);
  struct Seen {
    int calls = 0, writable = 0;
  } seen;
  client->set_observer({[](void* ctx, uint32_t ev) {
                          auto* s = static_cast<Seen*>(ctx);
                          ++s->calls;
                          if (ev & kWritable)
                            ++s->writable;
                        },
                        &seen});
  net.log.clear();
  for (int step = 0; step < 1000 && seen.writable == 0; ++step) {
    net.run_for(kMs / 4);
    read_all(server);
  }
  ASSERT_EQ(seen.writable, 1);
  EXPECT_GT(count(1, kAck), 4); // many ACKs came back before the one that told the writer
  EXPECT_LE(seen.calls, 2);     // (and maybe one when everything was acknowledged)
  EXPECT_NE(client->events() & kWritable, 0u);
  auto n = client->send(chunk.data(), capacity / 3);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, capacity / 3); // the room it was told about takes a third of the buffer
  client->set_observer({});
}

// SO_SNDBUF / SO_RCVBUF as the socket layer applies them: fixed sizes, no auto-tuning.
TEST_F(TcpStateTest, BufferSizesSetByTheApplicationStay) {
  open_pair();
  client->set_send_buffer_size(16384);
  server->set_receive_buffer_size(256 * 1024);
  EXPECT_EQ(server->receive_buffer_size(), 256u * 1024);
  std::vector<char> chunk(1 << 20, 's');
  size_t sent = 0;
  for (int step = 0; step < 2000 && sent < chunk.size(); ++step) {
    auto n = client->send(chunk.data() + sent, chunk.size() - sent);
    if (n) {
      EXPECT_LE(*n, 16384u);
      sent += *n;
    }
    net.run_for(kMs / 4);
    read_all(server);
    EXPECT_EQ(client->send_buffer_size(), 16384u); // never grown by auto-tuning
  }
  EXPECT_EQ(sent, chunk.size());
  EXPECT_EQ(server->receive_buffer_size(), 256u * 1024);
}

TEST_F(TcpStateTest, CloseInSynSentJustForgets) {
  auto c = a.stack->connect(a_ep(), b_ep(80));
  ASSERT_TRUE(c);
  EXPECT_EQ(a.stack->connection_count(), 1u);
  (*c)->close();
  EXPECT_EQ(a.stack->connection_count(), 0u);
  net.log.clear();
  net.run_for(5 * kSec);
  EXPECT_EQ(count(0, kSyn), 0); // no retransmissions of a forgotten SYN
}

TEST_F(TcpStateTest, ShutdownInSynReceivedSendsFinOnceEstablished) {
  auto c1 = a.stack->connect(a_ep(5000), b_ep(6000));
  auto c2 = b.stack->connect(b_ep(6000), a_ep(5000));
  ASSERT_TRUE(c1);
  ASSERT_TRUE(c2);
  net.run_until([&] { return (*c1)->state() == State::SynReceived; }, kSec);
  ASSERT_EQ((*c1)->state(), State::SynReceived);
  ASSERT_TRUE((*c1)->shutdown_write());
  net.run_until([&] { return (*c1)->state() == State::FinWait2; }, kSec);
  EXPECT_EQ((*c1)->state(), State::FinWait2);
  EXPECT_EQ((*c2)->state(), State::CloseWait);
}

TEST_F(TcpStateTest, OrphanedFinWait2TimesOut) {
  open_pair();
  client->close();
  net.run_until([&] { return client->state() == State::FinWait2; }, kSec);
  ASSERT_EQ(client->state(), State::FinWait2);
  net.run_for(59 * kSec);
  EXPECT_EQ(a.stack->connection_count(), 1u);
  net.run_for(2 * kSec); // the peer never closed: give up after 60 s
  EXPECT_EQ(a.stack->connection_count(), 0u);
  EXPECT_EQ(server->state(), State::CloseWait);
}

// Sends `segments` full segments at once, dropping those whose index (0-based, data
// segments only, first transmissions) is in `lost`.
struct LossScript {
  std::vector<int> lost;
  int seen = 0;
  std::vector<Seq> first_seqs;
  bool operator()(const Captured& c) {
    if (c.from != 0 || c.payload_len == 0)
      return true;
    for (Seq s : first_seqs)
      if (s == c.header.seq)
        return true; // a retransmission: let it through
    int index = seen++;
    first_seqs.push_back(c.header.seq);
    for (int l : lost)
      if (l == index)
        return false;
    return true;
  }
};

TEST_F(TcpStateTest, FastRetransmitBeforeTheTimer) {
  open_pair();
  auto script = std::make_shared<LossScript>();
  script->lost = {2};
  net.filter = [script](const Captured& c) { return (*script)(c); };
  std::string data(8 * 1448, 'f');
  uint64_t start = net.clock.now;
  ASSERT_EQ(*client->send(data.data(), data.size()), data.size());
  std::string got;
  net.run_until(
      [&] {
        got += read_all(server);
        return got.size() == data.size();
      },
      5 * kSec);
  EXPECT_EQ(got, data);
  EXPECT_LT(net.clock.now - start, 100 * kMs); // well before the 200 ms RTO
  EXPECT_EQ(client->info().timeouts, 0u);
  EXPECT_EQ(client->info().retransmitted_segments, 1u);
}

TEST_F(TcpStateTest, SackRecoversTwoLossesInOneRoundTrip) {
  open_pair();
  auto script = std::make_shared<LossScript>();
  script->lost = {1, 4};
  net.filter = [script](const Captured& c) { return (*script)(c); };
  std::string data(9 * 1448, 's');
  ASSERT_EQ(*client->send(data.data(), data.size()), data.size());
  std::string got;
  net.run_until(
      [&] {
        got += read_all(server);
        return got.size() == data.size();
      },
      5 * kSec);
  EXPECT_EQ(got, data);
  EXPECT_EQ(client->info().timeouts, 0u);
  EXPECT_EQ(client->info().retransmitted_segments, 2u); // exactly the two holes
}

TEST_F(TcpStateTest, PawsDropsASegmentWithAnOldTimestamp) {
  open_pair();
  ASSERT_TRUE(client->send("new", 3));
  net.run_for(100 * kMs);
  ASSERT_EQ(read_all(server), "new");
  // Replay the data segment with its old timestamp as a retransmission would look after
  // the sequence space wrapped: same SEQ as the next byte, an older TSval.
  Captured last{};
  for (const auto& c : net.log)
    if (c.from == 0 && c.payload_len > 0)
      last = c;
  Header h = last.header;
  h.seq += 3;
  h.options.ts_val -= 1000;
  uint8_t seg[kMaxHeader + 3];
  size_t n = write_header(seg, h);
  memcpy(seg + n, "old", 3);
  net.log.clear();
  b.stack->receive(a.addr, b.addr, seg, n + 3);
  EXPECT_EQ(read_all(server), ""); // dropped
  EXPECT_EQ(count(1, kAck), 1);    // and answered with an ACK (RFC 7323 5.3)
}

TEST(TcpNegotiation, WithoutTheOptionsOnOneSide) {
  Network net;
  Config plain;
  plain.window_scaling = false;
  plain.timestamps = false;
  plain.sack = false;
  Host& a = net.add_host(0x0A000001, Config{});
  Host& b = net.add_host(0x0A000002, plain);
  Listener* l = *b.stack->listen({b.addr, 80}, 4);
  Connection* c = *a.stack->connect({a.addr, 0}, {b.addr, 80});
  net.run_until([&] { return l->accept_queue_length() == 1; }, kSec);
  Connection* s = l->accept();
  ASSERT_NE(s, nullptr);
  ConnectionInfo i = c->info();
  EXPECT_EQ(i.send_wscale, 0);
  EXPECT_EQ(i.receive_wscale, 0);
  EXPECT_FALSE(i.timestamps);
  EXPECT_FALSE(i.sack);
  EXPECT_EQ(i.send_mss, 1460u);
  EXPECT_LE(i.send_window, 65535u);
  std::string data(200000, 'n');
  size_t sent = 0;
  std::string got;
  char buf[65536];
  net.run_until(
      [&] {
        if (sent < data.size()) {
          auto r = c->send(data.data() + sent, data.size() - sent);
          if (r)
            sent += *r;
        }
        for (auto r = s->recv(buf, sizeof buf); r && *r > 0; r = s->recv(buf, sizeof buf))
          got.append(buf, *r);
        return got.size() == data.size();
      },
      10 * kSec);
  EXPECT_EQ(got, data);
  c->abort();
  s->abort();
}

} // namespace
} // namespace net::tcp::test
