// The pieces of a large send (TCP segmentation done in software, as a NIC does it).
#include "net/checksum.h"
#include "net/tcp_header.h"
#include "net/tcp_large_send.h"

#include <gtest/gtest.h>
#include <vector>

namespace net::tcp {
namespace {

std::vector<uint8_t> header_with(uint32_t seq, uint8_t flags, bool timestamps) {
  Header h;
  h.src_port = 8080;
  h.dst_port = 40000;
  h.seq = seq;
  h.ack = 77;
  h.flags = flags;
  h.window = 1000;
  if (timestamps) {
    h.options.has_timestamps = true;
    h.options.ts_val = 5;
    h.options.ts_ecr = 6;
  }
  std::vector<uint8_t> out(kMaxHeader);
  out.resize(write_header(out.data(), h));
  return out;
}

TEST(TcpLargeSend, PieceCount) {
  EXPECT_EQ(large_send_pieces(0, 1448), 1u);
  EXPECT_EQ(large_send_pieces(1448, 1448), 1u);
  EXPECT_EQ(large_send_pieces(1449, 1448), 2u);
  EXPECT_EQ(large_send_pieces(65160, 1448), 45u);
}

TEST(TcpLargeSend, PieceHeadersAdvanceTheSequenceAndKeepFinPshCwrWhereTheyBelong) {
  auto h = header_with(0xFFFFF000u, kAck | kPsh | kFin | 0x80, true);
  std::vector<uint8_t> out(h.size());
  Header parsed;
  large_send_piece_header(h.data(), h.size(), 0, true, false, out.data());
  ASSERT_TRUE(parse_header(out.data(), out.size(), parsed));
  EXPECT_EQ(parsed.seq, 0xFFFFF000u);
  EXPECT_EQ(out[13], kAck | 0x80);      // CWR on the first piece only; FIN/PSH on the last
  EXPECT_EQ(parsed.options.ts_val, 5u); // options are copied
  large_send_piece_header(h.data(), h.size(), 2 * 1448, false, true, out.data());
  ASSERT_TRUE(parse_header(out.data(), out.size(), parsed));
  EXPECT_EQ(parsed.seq, 0xFFFFF000u + 2 * 1448); // wraps modulo 2^32
  EXPECT_EQ(out[13], kAck | kPsh | kFin);
  EXPECT_EQ(parsed.ack, 77u);
  EXPECT_EQ(out[16], 0); // checksum left for the IP layer or the device
  EXPECT_EQ(out[17], 0);
}

TEST(TcpLargeSend, CopiedRangesSumLikeTheirContiguousBytesAcrossOddPieces) {
  auto h = header_with(1, kAck, false);
  std::vector<uint8_t> a(1001), b(3000);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = uint8_t(i * 7 + 1);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = uint8_t(0xF0 ^ (i * 13));
  Segment s;
  s.head = h.data();
  s.head_len = h.size();
  s.payload[0] = a.data();
  s.payload_len[0] = a.size();
  s.payload[1] = b.data();
  s.payload_len[1] = b.size();
  std::vector<uint8_t> whole(s.length());
  s.copy_to(whole.data());
  for (size_t from : {size_t{0}, size_t{20}, size_t{21}, size_t{1020}, size_t{1021}}) {
    for (size_t n : {size_t{1}, size_t{2}, size_t{999}, size_t{1448}, size_t{2000}}) {
      if (from + n > whole.size())
        continue;
      std::vector<uint8_t> out(n);
      uint64_t sum = copy_segment_range(s, from, n, out.data());
      EXPECT_TRUE(std::equal(out.begin(), out.end(), whole.begin() + from)) << from << " " << n;
      EXPECT_EQ(checksum_fold(sum), checksum_fold(checksum_partial(whole.data() + from, n)))
          << from << " " << n;
    }
  }
}

TEST(TcpLargeSend, CuttingGivesMssPiecesThatJoinToThePayload) {
  auto h = header_with(1000, kAck | kPsh, true);
  std::vector<uint8_t> payload(10000);
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = uint8_t(i % 251);
  Segment s;
  s.head = h.data();
  s.head_len = h.size();
  s.payload[0] = payload.data();
  s.payload_len[0] = 6000;
  s.payload[1] = payload.data() + 6000;
  s.payload_len[1] = 4000;
  ASSERT_EQ(segment_header_length(s), h.size());
  std::vector<uint8_t> work(h.size() + 1448), joined;
  std::vector<Header> headers;
  cut_large_send(s, 1448, work.data(), [&](const uint8_t* bytes, size_t len) {
    Header ph;
    ASSERT_TRUE(parse_header(bytes, len, ph));
    EXPECT_LE(len - ph.length, 1448u);
    EXPECT_EQ(ph.seq, 1000u + joined.size());
    headers.push_back(ph);
    joined.insert(joined.end(), bytes + ph.length, bytes + len);
  });
  ASSERT_EQ(headers.size(), 7u);
  EXPECT_EQ(joined, payload);
  for (size_t i = 0; i + 1 < headers.size(); ++i)
    EXPECT_EQ(headers[i].flags, kAck);
  EXPECT_EQ(headers.back().flags, kAck | kPsh);
}

} // namespace
} // namespace net::tcp
