// The TCP engine's parts on their own: sequence arithmetic, header codec, SipHash and the
// ISN, the RTO estimator, the receive buffer's reassembly and SACK blocks, the scoreboard,
// congestion control.
#include "net/tcp_buffers.h"
#include "net/tcp_congestion.h"
#include "net/tcp_header.h"
#include "net/tcp_isn.h"
#include "net/tcp_rto.h"
#include "net/tcp_scoreboard.h"
#include "net/tcp_seq.h"

#include <gtest/gtest.h>
#include <vector>

namespace net::tcp {
namespace {

TEST(TcpSeq, ComparesAcrossTheWrap) {
  EXPECT_TRUE(seq_lt(0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seq_gt(0x10u, 0xFFFFFFF0u));
  EXPECT_EQ(seq_diff(0x10u, 0xFFFFFFF0u), 0x20);
  EXPECT_TRUE(seq_in(0u, 0xFFFFFFFFu, 1u));
  EXPECT_FALSE(seq_in(1u, 0xFFFFFFFFu, 1u));
  EXPECT_EQ(seq_max(0xFFFFFFF0u, 5u), 5u);
}

TEST(TcpHeader, RoundTripsEveryOption) {
  Header h;
  h.src_port = 1234;
  h.dst_port = 80;
  h.seq = 0xDEADBEEF;
  h.ack = 0x01020304;
  h.flags = kSyn | kAck;
  h.window = 0xFFFF;
  h.options.has_mss = true;
  h.options.mss = 1460;
  h.options.has_wscale = true;
  h.options.wscale = 7;
  h.options.sack_permitted = true;
  h.options.has_timestamps = true;
  h.options.ts_val = 111;
  h.options.ts_ecr = 222;
  uint8_t buf[kMaxHeader];
  size_t n = write_header(buf, h);
  EXPECT_EQ(n % 4, 0u);
  EXPECT_EQ(buf[16], 0); // the checksum is the IP layer's
  EXPECT_EQ(buf[17], 0);
  Header p;
  ASSERT_TRUE(parse_header(buf, n, p));
  EXPECT_EQ(p.src_port, 1234);
  EXPECT_EQ(p.dst_port, 80);
  EXPECT_EQ(p.seq, 0xDEADBEEFu);
  EXPECT_EQ(p.ack, 0x01020304u);
  EXPECT_EQ(p.flags, kSyn | kAck);
  EXPECT_EQ(p.window, 0xFFFF);
  EXPECT_EQ(p.length, n);
  EXPECT_TRUE(p.options.has_mss);
  EXPECT_EQ(p.options.mss, 1460);
  EXPECT_TRUE(p.options.has_wscale);
  EXPECT_EQ(p.options.wscale, 7);
  EXPECT_TRUE(p.options.sack_permitted);
  EXPECT_TRUE(p.options.has_timestamps);
  EXPECT_EQ(p.options.ts_val, 111u);
  EXPECT_EQ(p.options.ts_ecr, 222u);
}

TEST(TcpHeader, SackBlocksFitBesideTimestamps) {
  Header h;
  h.flags = kAck;
  h.options.has_timestamps = true;
  h.options.sack_count = 4;
  for (int i = 0; i < 4; ++i)
    h.options.sack[i] = {static_cast<Seq>(100 * i), static_cast<Seq>(100 * i + 50)};
  uint8_t buf[kMaxHeader];
  size_t n = write_header(buf, h);
  EXPECT_LE(n, kMaxHeader);
  Header p;
  ASSERT_TRUE(parse_header(buf, n, p));
  ASSERT_EQ(p.options.sack_count, 3); // 12 bytes of timestamps leave room for three
  EXPECT_EQ(p.options.sack[2].start, 200u);
  EXPECT_EQ(p.options.sack[2].end, 250u);
}

TEST(TcpHeader, RejectsShortAndBadOffsets) {
  uint8_t buf[40] = {};
  Header p;
  EXPECT_FALSE(parse_header(buf, 19, p));
  buf[12] = 4 << 4; // 16 bytes: below the minimum
  EXPECT_FALSE(parse_header(buf, 40, p));
  buf[12] = 15 << 4; // 60 bytes: more than there is
  EXPECT_FALSE(parse_header(buf, 40, p));
  buf[12] = 6 << 4; // options: a truncated MSS option is ignored
  buf[20] = 2;
  buf[21] = 9;
  EXPECT_TRUE(parse_header(buf, 40, p));
  EXPECT_FALSE(p.options.has_mss);
}

TEST(TcpIsn, SipHashMatchesThePaper) {
  // The SipHash paper's test vectors: key 00..0f, messages 00..(n-1).
  SipKey key{0x0706050403020100ull, 0x0F0E0D0C0B0A0908ull};
  uint8_t msg[15];
  for (int i = 0; i < 15; ++i)
    msg[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(siphash24(key, msg, 0), 0x726FDB47DD0E0E31ull);
  EXPECT_EQ(siphash24(key, msg, 15), 0xA129CA6149BE45E5ull);
}

TEST(TcpIsn, DependsOnTupleSecretAndClock) {
  SipKey k1{1, 2}, k2{3, 4};
  Endpoint a{IpAddr::v4(0x0A000001), 1000}, b{IpAddr::v4(0x0A000002), 80};
  Endpoint c{IpAddr::v4(0x0A000001), 1001};
  Seq base = initial_sequence(k1, a, b, 0);
  EXPECT_NE(base, initial_sequence(k2, a, b, 0));
  EXPECT_NE(base, initial_sequence(k1, c, b, 0));
  // RFC 6528: M ticks every 4 microseconds.
  EXPECT_EQ(initial_sequence(k1, a, b, 4000 * 1000), base + 1000);
}

TEST(TcpRto, FollowsRfc6298) {
  RtoEstimator r;
  r.init(200000, 60000000, 1000000);
  EXPECT_EQ(r.rto_us(), 1000000u); // 2.1: 1 s before any sample
  r.add_sample(100000);            // 2.2: SRTT = R, RTTVAR = R/2
  EXPECT_EQ(r.srtt_us(), 100000u);
  EXPECT_EQ(r.rttvar_us(), 50000u);
  EXPECT_EQ(r.rto_us(), 300000u); // 100 + 4 * 50 ms
  r.add_sample(200000);           // 2.3
  EXPECT_EQ(r.rttvar_us(), (3 * 50000 + 100000) / 4u);
  EXPECT_EQ(r.srtt_us(), (7 * 100000 + 200000) / 8u);
  uint64_t before = r.rto_us();
  r.back_off();
  EXPECT_EQ(r.rto_us(), 2 * before); // 5.5
  for (int i = 0; i < 20; ++i)
    r.back_off();
  EXPECT_EQ(r.rto_us(), 60000000u); // bounded
  r.add_sample(1000);               // a sample clears the backoff; the floor holds
  EXPECT_GE(r.rto_us(), 200000u);
  EXPECT_LT(r.rto_us(), 2000000u);
}

TEST(TcpReceiveBuffer, ReassemblesOutOfOrderAndReportsSack) {
  ReceiveBuffer rb;
  ASSERT_TRUE(rb.init(64));
  rb.start(1000);
  const uint8_t* data = reinterpret_cast<const uint8_t*>("abcdefghijklmnopqrstuvwxyz");
  EXPECT_EQ(rb.store(1010, data + 10, 5), 0u); // klmno ahead of a hole
  EXPECT_EQ(rb.store(1020, data + 20, 3), 0u); // uvw
  EXPECT_TRUE(rb.has_out_of_order());
  SackBlock blocks[4];
  ASSERT_EQ(rb.sack_blocks(blocks, 4), 2);
  EXPECT_EQ(blocks[0].start, 1020u); // the newest first
  EXPECT_EQ(blocks[0].end, 1023u);
  EXPECT_EQ(blocks[1].start, 1010u);
  EXPECT_EQ(rb.store(1000, data, 10), 15u); // fills the first hole, joins klmno
  EXPECT_EQ(rb.next(), 1015u);
  EXPECT_EQ(rb.store(1015, data + 15, 5), 8u); // and the second
  EXPECT_EQ(rb.next(), 1023u);
  EXPECT_FALSE(rb.has_out_of_order());
  char out[32] = {};
  EXPECT_EQ(rb.read(out, 4, true), 4u);
  EXPECT_EQ(std::string(out, 4), "abcd");
  EXPECT_EQ(rb.read(out, 32, false), 23u);
  EXPECT_EQ(std::string(out, 23), "abcdefghijklmnopqrstuvw");
  EXPECT_EQ(rb.readable(), 0u);
}

TEST(TcpReceiveBuffer, WrapsAndGrowsKeepingIslands) {
  ReceiveBuffer rb;
  ASSERT_TRUE(rb.init(8));
  rb.start(0);
  uint8_t in[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(rb.store(0, in, 6), 6u);
  uint8_t out[16];
  EXPECT_EQ(rb.read(out, 6, false), 6u);
  EXPECT_EQ(rb.store(8, in + 2, 4), 0u); // wraps physically, ahead of a hole at 6..7
  ASSERT_TRUE(rb.grow(32));
  EXPECT_EQ(rb.store(6, in, 2), 6u);
  EXPECT_EQ(rb.read(out, 16, false), 6u);
  uint8_t want[6] = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(memcmp(out, want, 6), 0);
}

TEST(TcpSendBuffer, AppendsCopiesAndDrops) {
  SendBuffer sb;
  ASSERT_TRUE(sb.init(8));
  EXPECT_EQ(sb.append("abcdefghij", 10), 8u);
  sb.drop_front(5);
  EXPECT_EQ(sb.append("XYZ", 3), 3u); // wraps
  char out[8];
  sb.copy_out(1, out, 5);
  EXPECT_EQ(std::string(out, 5), "ghXYZ");
  ASSERT_TRUE(sb.grow(16));
  sb.copy_out(0, out, 6);
  EXPECT_EQ(std::string(out, 6), "fghXYZ");
}

TEST(TcpScoreboard, MergesAndFindsHoles) {
  Scoreboard sb;
  EXPECT_TRUE(sb.add({300, 400}, 100, 1000));
  EXPECT_TRUE(sb.add({500, 600}, 100, 1000));
  EXPECT_FALSE(sb.add({300, 400}, 100, 1000));  // nothing new
  EXPECT_FALSE(sb.add({50, 90}, 100, 1000));    // below SND.UNA
  EXPECT_FALSE(sb.add({900, 1100}, 100, 1000)); // beyond what was sent
  EXPECT_EQ(sb.sacked_bytes(), 200u);
  EXPECT_EQ(sb.high(100), 600u);
  EXPECT_EQ(sb.skip_sacked(350), 400u);
  EXPECT_EQ(sb.skip_sacked(450), 450u);
  EXPECT_EQ(sb.next_sacked(100, 1000), 300u);
  EXPECT_EQ(sb.sacked_between(350, 550), 100u);
  EXPECT_TRUE(sb.add({400, 500}, 100, 1000)); // bridges the two
  EXPECT_EQ(sb.sacked_bytes(), 300u);
  sb.advance(450);
  EXPECT_EQ(sb.sacked_bytes(), 150u);
  sb.advance(700);
  EXPECT_TRUE(sb.empty());
}

TEST(TcpCongestion, RenoSlowStartAvoidanceAndLoss) {
  Congestion cc;
  cc.init(CongestionAlgorithm::NewReno, 1000);
  EXPECT_EQ(cc.cwnd(), 10000u); // RFC 6928
  cc.on_ack(1000, 1, 0);
  EXPECT_EQ(cc.cwnd(), 11000u); // slow start: +1 MSS per ACK
  cc.on_loss(20000);
  EXPECT_EQ(cc.ssthresh(), 10000u); // half the flight
  EXPECT_EQ(cc.cwnd(), 10000u);
  for (int i = 0; i < 10; ++i)
    cc.on_ack(1000, 3, 0);
  EXPECT_EQ(cc.cwnd(), 11000u); // avoidance: +1 MSS per window
  cc.on_timeout(11000, true);
  EXPECT_EQ(cc.cwnd(), 1000u);
  EXPECT_EQ(cc.ssthresh(), 5500u);
}

TEST(TcpCongestion, CubicBacksOffLessAndRegrowsToThePlateau) {
  Congestion cc;
  cc.init(CongestionAlgorithm::Cubic, 1000);
  for (int i = 0; i < 90; ++i)
    cc.on_ack(1000, 1000, 0);
  EXPECT_EQ(cc.cwnd(), 100000u);
  cc.on_loss(100000);
  EXPECT_EQ(cc.cwnd(), 70000u); // beta = 0.7
  // K = cbrt(30 segments / 0.4) = 4.2 s: near K the window is back at the plateau.
  uint64_t t = 1000000;
  uint32_t at_k = 0;
  while (t < 1000000 + 4300000) {
    cc.on_ack(1000, t, 10000);
    t += 1000;
    if (t >= 1000000 + 4200000 && at_k == 0)
      at_k = cc.cwnd();
  }
  EXPECT_GT(at_k, 95000u);
  EXPECT_LT(at_k, 106000u);
  EXPECT_EQ(integer_cbrt(27), 3u);
  EXPECT_EQ(integer_cbrt(26), 2u);
  EXPECT_EQ(integer_cbrt(~0ull), 2642245u);
}

} // namespace
} // namespace net::tcp
