#include "lib/errno.h"
#include "unix/uring/ring_logic.h"

#include <gtest/gtest.h>

namespace unix::uring {
namespace {

TEST(RingSizes, RoundsEntriesUpToAPowerOfTwoWithTwiceAsManyCqes) {
  auto s = ring_sizes(5, 0, 0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->sq_entries, 8u);
  EXPECT_EQ(s->cq_entries, 16u);
  EXPECT_EQ(ring_sizes(1, 0, 0)->sq_entries, 1u);
}

TEST(RingSizes, RejectsZeroAndTooManyUnlessClamped) {
  EXPECT_EQ(ring_sizes(0, 0, 0).error(), -EINVAL);
  EXPECT_EQ(ring_sizes(kMaxEntries + 1, 0, 0).error(), -EINVAL);
  auto clamped = ring_sizes(kMaxEntries + 1, kSetupClamp, 0);
  ASSERT_TRUE(clamped.ok());
  EXPECT_EQ(clamped->sq_entries, kMaxEntries);
}

TEST(RingSizes, CqSizeIsRoundedAndNeverBelowTheSqRing) {
  auto s = ring_sizes(4, kSetupCqSize, 100);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->cq_entries, 128u);
  EXPECT_EQ(ring_sizes(8, kSetupCqSize, 4).error(), -EINVAL);
  EXPECT_EQ(ring_sizes(8, kSetupCqSize, 0).error(), -EINVAL);
  EXPECT_EQ(ring_sizes(8, kSetupCqSize, kMaxCqEntries + 1).error(), -EINVAL);
  EXPECT_EQ(ring_sizes(8, kSetupCqSize | kSetupClamp, kMaxCqEntries + 1)->cq_entries,
            kMaxCqEntries);
}

TEST(RingSizes, RefusesPollingModesAndUnknownFlags) {
  EXPECT_EQ(ring_sizes(8, kSetupSqPoll, 0).error(), -EINVAL);
  EXPECT_EQ(ring_sizes(8, kSetupIoPoll, 0).error(), -EINVAL);
  EXPECT_EQ(ring_sizes(8, 1u << 31, 0).error(), -EINVAL);
}

TEST(RingLayout, FieldsDoNotOverlapAndSqesStartOnAPage) {
  RingLayout l = ring_layout({8, 16});
  EXPECT_GE(l.cq.cqes, l.cq.flags + 4);
  EXPECT_EQ(l.cq.cqes % 16, 0u);
  EXPECT_EQ(l.sq.array, l.cq.cqes + 16 * 16);
  EXPECT_EQ(l.rings_bytes, l.sq.array + 8 * 4u);
  EXPECT_EQ(l.sqes_offset % 4096, 0u);
  EXPECT_GE(l.sqes_offset, l.rings_bytes);
  EXPECT_EQ(l.sqes_bytes, 8 * 64u);
  EXPECT_EQ(l.total_bytes, l.sqes_offset + 4096);
}

TEST(RingLayout, LargeRingsSpanSeveralPages) {
  RingLayout l = ring_layout({4096, 8192});
  EXPECT_EQ(l.sqes_bytes, 4096 * 64u);
  EXPECT_EQ(l.total_bytes - l.sqes_offset, 4096 * 64u);
  EXPECT_GE(l.sqes_offset, 320 + 8192 * 16u + 4096 * 4u);
}

TEST(MapTarget, BothRingOffsetsMapTheRingsRegionAndSqesTheirOwn) {
  RingLayout l = ring_layout({8, 16});
  EXPECT_EQ(map_target(l, kOffSqRing, l.rings_bytes)->memory_offset, 0u);
  EXPECT_EQ(map_target(l, kOffCqRing, l.rings_bytes)->memory_offset, 0u);
  EXPECT_EQ(map_target(l, kOffSqes, l.sqes_bytes)->memory_offset, l.sqes_offset);
  EXPECT_EQ(map_target(l, kOffSqes + 4096, 64)->memory_offset, l.sqes_offset);
  EXPECT_EQ(map_target(l, 0x20000000, 4096).error(), -EINVAL);
  EXPECT_EQ(map_target(l, kOffSqes, l.total_bytes).error(), -EINVAL);
}

TEST(RingCount, WrapsAroundAndNeverExceedsTheRing) {
  EXPECT_EQ(ring_count(10, 13, 8), 3u);
  EXPECT_EQ(ring_count(0xfffffffe, 2, 8), 4u);
  EXPECT_EQ(ring_count(0, 100, 8), 8u);
  EXPECT_EQ(ring_count(5, 5, 8), 0u);
}

Sqe sqe_of(uint8_t opcode) {
  Sqe s{};
  s.opcode = opcode;
  return s;
}

TEST(CheckSqe, AcceptsPlainRequestsAndTheSupportedFlags) {
  EXPECT_TRUE(check_sqe(sqe_of(kOpNop)).ok());
  Sqe r = sqe_of(kOpRead);
  r.flags = kSqeIoLink | kSqeFixedFile | kSqeAsync;
  EXPECT_TRUE(check_sqe(r).ok());
  Sqe t = sqe_of(kOpTimeout);
  t.len = 1;
  t.op_flags = kTimeoutAbs;
  EXPECT_TRUE(check_sqe(t).ok());
}

TEST(CheckSqe, RejectsUnsupportedOpcodesFlagsAndFields) {
  EXPECT_EQ(check_sqe(sqe_of(4)).error(), -EINVAL); // READ_FIXED
  EXPECT_EQ(check_sqe(sqe_of(200)).error(), -EINVAL);
  Sqe drain = sqe_of(kOpNop);
  drain.flags = kSqeIoDrain;
  EXPECT_EQ(check_sqe(drain).error(), -EINVAL);
  Sqe fixed_open = sqe_of(kOpOpenat);
  fixed_open.flags = kSqeFixedFile;
  EXPECT_EQ(check_sqe(fixed_open).error(), -EINVAL);
  Sqe buffer = sqe_of(kOpRead);
  buffer.buf_index = 1;
  EXPECT_EQ(check_sqe(buffer).error(), -EINVAL);
  Sqe rwf = sqe_of(kOpWrite);
  rwf.op_flags = 8; // RWF_NOWAIT
  EXPECT_EQ(check_sqe(rwf).error(), -EINVAL);
  Sqe two = sqe_of(kOpTimeout);
  two.len = 2;
  EXPECT_EQ(check_sqe(two).error(), -EINVAL);
  Sqe multishot = sqe_of(kOpPollAdd);
  multishot.len = 1;
  EXPECT_EQ(check_sqe(multishot).error(), -EINVAL);
  Sqe fsync = sqe_of(kOpFsync);
  fsync.op_flags = 2;
  EXPECT_EQ(check_sqe(fsync).error(), -EINVAL);
}

TEST(Probe, ReportsExactlyThePerformedOpcodes) {
  int count = 0;
  for (unsigned op = 0; op < 256; ++op)
    count += opcode_supported(static_cast<uint8_t>(op));
  EXPECT_EQ(count, 17);
  EXPECT_TRUE(opcode_supported(kLastSupportedOp));
  EXPECT_FALSE(opcode_supported(kOpTimeout + 3)); // LINK_TIMEOUT
}

} // namespace
} // namespace unix::uring
