#include "net/reassembly.h"
#include "net/test_support.h"

#include <gtest/gtest.h>
#include <vector>

namespace net {
namespace {
using test::Bytes;
using test::ip;

Bytes pattern(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i)
    b[i] = uint8_t(i * 7 + 3);
  return b;
}

Ipv4Header fragment_header(size_t offset, bool more, uint16_t id = 42) {
  Ipv4Header h;
  h.source = ip(10, 0, 0, 1);
  h.destination = ip(10, 0, 0, 2);
  h.protocol = 17;
  h.id = id;
  h.flags_fragment = uint16_t(offset / 8) | (more ? kIpv4FlagMoreFragments : 0);
  return h;
}

struct Piece {
  size_t offset, len;
};

// Feeds pieces of `data` in the given order; returns the datagram if the last completed it.
PacketPtr feed(Reassembler& r, const Bytes& data, const std::vector<Piece>& pieces, Ipv4Header* out,
               uint64_t now = 0, uint16_t id = 42) {
  PacketPtr done;
  for (const Piece& p : pieces) {
    EXPECT_FALSE(done) << "completed before the last piece";
    bool more = p.offset + p.len < data.size();
    done = r.add(fragment_header(p.offset, more, id), data.data() + p.offset, p.len, now, out);
  }
  return done;
}

void expect_datagram(const PacketPtr& p, const Bytes& want) {
  ASSERT_TRUE(p);
  ASSERT_EQ(p->length(), want.size());
  EXPECT_EQ(Bytes(p->data(), p->data() + p->length()), want);
}

TEST(Reassembly, InOrder) {
  Reassembler r;
  Bytes data = pattern(3000);
  Ipv4Header h;
  PacketPtr p = feed(r, data, {{0, 1480}, {1480, 1480}, {2960, 40}}, &h);
  expect_datagram(p, data);
  EXPECT_EQ(h.total_length, 3020);
  EXPECT_FALSE(h.is_fragment());
  EXPECT_EQ(r.in_progress(), 0u);
  EXPECT_EQ(r.bytes_in_use(), 0u);
}

TEST(Reassembly, OutOfOrderLastFirst) {
  Reassembler r;
  Bytes data = pattern(2001);
  Ipv4Header h;
  expect_datagram(feed(r, data, {{2000, 1}, {800, 800}, {0, 800}, {1600, 400}}, &h), data);
}

TEST(Reassembly, DuplicatesAreIgnored) {
  Reassembler r;
  Bytes data = pattern(1600);
  Ipv4Header h;
  EXPECT_FALSE(r.add(fragment_header(0, true), data.data(), 800, 0, &h));
  EXPECT_FALSE(r.add(fragment_header(0, true), data.data(), 800, 0, &h)); // retransmitted
  expect_datagram(r.add(fragment_header(800, false), data.data() + 800, 800, 0, &h), data);
  EXPECT_EQ(r.stats().overlaps, 0u);
}

TEST(Reassembly, PartialOverlapDiscardsTheDatagram) {
  Reassembler r;
  Bytes data = pattern(1600);
  Ipv4Header h;
  EXPECT_FALSE(r.add(fragment_header(0, true), data.data(), 800, 0, &h));
  // 400..1199 overlaps the first fragment's second half: the whole datagram goes.
  EXPECT_FALSE(r.add(fragment_header(400, true), data.data() + 400, 800, 0, &h));
  EXPECT_EQ(r.stats().overlaps, 1u);
  EXPECT_EQ(r.in_progress(), 0u);
  // The rest arriving now starts a new datagram that never completes.
  EXPECT_FALSE(r.add(fragment_header(800, false), data.data() + 800, 800, 0, &h));
}

TEST(Reassembly, ConflictingEndsDiscard) {
  Reassembler r;
  Bytes data = pattern(1600);
  Ipv4Header h;
  EXPECT_FALSE(r.add(fragment_header(800, false), data.data() + 800, 800, 0, &h));
  // A second "last fragment" ending elsewhere.
  EXPECT_FALSE(r.add(fragment_header(0, false), data.data(), 808, 0, &h));
  EXPECT_EQ(r.in_progress(), 0u);
  EXPECT_EQ(r.stats().overlaps, 1u);
}

TEST(Reassembly, SeparateDatagramsDoNotMix) {
  Reassembler r;
  Bytes a = pattern(1600), b = Bytes(1600, 0xEE);
  Ipv4Header h;
  EXPECT_FALSE(r.add(fragment_header(0, true, 1), a.data(), 800, 0, &h));
  EXPECT_FALSE(r.add(fragment_header(0, true, 2), b.data(), 800, 0, &h));
  expect_datagram(r.add(fragment_header(800, false, 2), b.data() + 800, 800, 0, &h), b);
  expect_datagram(r.add(fragment_header(800, false, 1), a.data() + 800, 800, 0, &h), a);
}

TEST(Reassembly, TimesOut) {
  Reassembler r;
  Bytes data = pattern(1600);
  Ipv4Header h;
  EXPECT_FALSE(r.add(fragment_header(0, true), data.data(), 800, 0, &h));
  r.expire(Reassembler::kTimeout - 1);
  EXPECT_EQ(r.in_progress(), 1u);
  r.expire(Reassembler::kTimeout);
  EXPECT_EQ(r.in_progress(), 0u);
  EXPECT_EQ(r.stats().timed_out, 1u);
  EXPECT_FALSE(
      r.add(fragment_header(800, false), data.data() + 800, 800, Reassembler::kTimeout, &h));
}

TEST(Reassembly, DatagramLimitEvictsTheOldest) {
  Reassembler r;
  Bytes data = pattern(16);
  Ipv4Header h;
  for (uint16_t id = 0; id <= Reassembler::kMaxDatagrams; ++id)
    EXPECT_FALSE(r.add(fragment_header(0, true, id), data.data(), 8, id, &h));
  EXPECT_EQ(r.in_progress(), Reassembler::kMaxDatagrams);
  EXPECT_EQ(r.stats().evicted, 1u);
  // id 0 was the oldest: its second half starts a new incomplete datagram (evicting id 1).
  EXPECT_FALSE(r.add(fragment_header(8, false, 0), data.data() + 8, 8, 100, &h));
  EXPECT_EQ(r.stats().evicted, 2u);
  // id 2 is still there.
  expect_datagram(r.add(fragment_header(8, false, 2), data.data() + 8, 8, 100, &h), data);
}

TEST(Reassembly, MemoryLimitHolds) {
  Reassembler r;
  Bytes chunk = pattern(8);
  Ipv4Header h;
  // Each datagram gets one 8-byte fragment near the 64 KiB end: a big buffer apiece.
  for (uint16_t id = 0; id < Reassembler::kMaxDatagrams; ++id) {
    EXPECT_FALSE(r.add(fragment_header(60000, true, id), chunk.data(), 8, id, &h));
    EXPECT_LE(r.bytes_in_use(), Reassembler::kMaxBytes);
  }
  EXPECT_GT(r.stats().evicted, 0u);
}

TEST(Reassembly, HoleLimitDiscards) {
  Reassembler r;
  Bytes data = pattern(8);
  Ipv4Header h;
  // Every other 8-byte block: each one splits the open hole again.
  for (size_t i = 0; i < Reassembler::kMaxHoles + 2; ++i)
    (void)r.add(fragment_header(i * 16, true), data.data(), 8, 0, &h);
  EXPECT_LE(r.in_progress(), 1u);
  EXPECT_GT(r.stats().evicted, 0u);
}

TEST(Reassembly, RejectsMalformedFragments) {
  Reassembler r;
  Bytes data = pattern(100);
  Ipv4Header h;
  EXPECT_FALSE(r.add(fragment_header(0, true), data.data(), 12, 0, &h));      // not a multiple of 8
  EXPECT_FALSE(r.add(fragment_header(65528, false), data.data(), 16, 0, &h)); // past 64 KiB
  EXPECT_FALSE(r.add(fragment_header(8, true), data.data(), 0, 0, &h));       // empty
  EXPECT_EQ(r.stats().invalid, 3u);
  EXPECT_EQ(r.in_progress(), 0u);
}

} // namespace
} // namespace net
