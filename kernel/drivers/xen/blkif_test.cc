#include "drivers/xen/blkif.h"
#include "drivers/xen/ring_test_page.h"

#include <cstring>
#include <gtest/gtest.h>

namespace blkif {
namespace {

using Page = xen_ring::testing::RingPage;

TEST(BlkifLayout, OffsetsMatchTheProtocol) {
  EXPECT_EQ(offsetof(Request, id), 8u);
  EXPECT_EQ(offsetof(Request, sector_number), 16u);
  EXPECT_EQ(offsetof(Request, seg), 24u);
  EXPECT_EQ(offsetof(Response, status), 10u);
}

TEST(BlkifRing, InitSetsEventIndexes) {
  Page p;
  memset(p.bytes, 0xFF, sizeof p.bytes);
  FrontRing ring;
  ring.init(p.bytes);
  EXPECT_EQ(p.index(0), 0u);
  EXPECT_EQ(p.index(1), 1u);
  EXPECT_EQ(p.index(2), 0u);
  EXPECT_EQ(p.index(3), 1u);
}

TEST(BlkifRing, RequestsArePublishedOnlyByPush) {
  Page p;
  FrontRing ring;
  ring.init(p.bytes);
  volatile Request* r = ring.next_request();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(reinterpret_cast<volatile uint8_t*>(r), p.bytes + kHeaderSize);
  r->id = 42;
  EXPECT_EQ(p.index(0), 0u);
  ring.push();
  EXPECT_EQ(p.index(0), 1u);
}

TEST(BlkifRing, FullRingRefusesAndResponsesFreeSlots) {
  Page p;
  FrontRing ring;
  ring.init(p.bytes);
  for (size_t i = 0; i < kSlots; ++i)
    ASSERT_NE(ring.next_request(), nullptr);
  EXPECT_EQ(ring.next_request(), nullptr);
  ring.push();
  EXPECT_EQ(ring.peek_response(), nullptr);
  // The back-end answers the first request in its slot.
  Response rsp{7, kRead, 0, kOkay};
  memcpy(p.bytes + kHeaderSize, &rsp, sizeof rsp);
  p.set_index(2, 1);
  const volatile Response* got = ring.peek_response();
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->id, 7u);
  ring.consume();
  EXPECT_EQ(p.index(3), 2u); // notify at the next response
  EXPECT_EQ(ring.peek_response(), nullptr);
  volatile Request* again = ring.next_request();
  EXPECT_EQ(reinterpret_cast<volatile uint8_t*>(again), p.bytes + kHeaderSize); // wrapped
}

TEST(BlkifSegments, SectorsAreSpreadOverPages) {
  Request req{};
  uint32_t grefs[kMaxSegments];
  for (size_t i = 0; i < kMaxSegments; ++i)
    grefs[i] = 100 + static_cast<uint32_t>(i);
  EXPECT_EQ(fill_segments(&req, grefs, 1), 1u);
  EXPECT_EQ(req.nr_segments, 1);
  EXPECT_EQ(req.seg[0].first_sect, 0);
  EXPECT_EQ(req.seg[0].last_sect, 0);
  EXPECT_EQ(fill_segments(&req, grefs, 19), 19u);
  EXPECT_EQ(req.nr_segments, 3);
  EXPECT_EQ(req.seg[1].gref, 101u);
  EXPECT_EQ(req.seg[1].last_sect, 7);
  EXPECT_EQ(req.seg[2].last_sect, 2);
  EXPECT_EQ(fill_segments(&req, grefs, 1000), kMaxSegments * kSectorsPerPage);
  EXPECT_EQ(req.nr_segments, kMaxSegments);
}

} // namespace
} // namespace blkif
