#include "drivers/nvme/queue.h"

#include <gtest/gtest.h>

namespace nvme {
namespace {

TEST(NvmeSubmissionRing, HoldsOneLessThanItsSize) {
  SubmissionEntry slots[4] = {};
  SubmissionRing ring;
  ring.init(slots, 4);
  EXPECT_FALSE(ring.full());
  EXPECT_EQ(ring.push(with_command_id(flush(1), 1)), 1u);
  EXPECT_EQ(ring.push(with_command_id(flush(1), 2)), 2u);
  EXPECT_EQ(ring.push(with_command_id(flush(1), 3)), 3u);
  EXPECT_TRUE(ring.full());
  EXPECT_EQ(slots[0].cdw0 >> 16, 1u);
  EXPECT_EQ(slots[2].cdw0 >> 16, 3u);
}

TEST(NvmeSubmissionRing, HeadFromCompletionsFreesSlotsAndTheTailWraps) {
  SubmissionEntry slots[4] = {};
  SubmissionRing ring;
  ring.init(slots, 4);
  for (int i = 0; i < 3; ++i)
    ring.push(flush(1));
  ring.consumed_up_to(2);
  EXPECT_FALSE(ring.full());
  EXPECT_EQ(ring.push(flush(1)), 0u); // wraps
  EXPECT_EQ(ring.push(flush(1)), 1u);
  EXPECT_TRUE(ring.full());
  ring.consumed_up_to(9); // beyond the ring: a bad value is ignored
  EXPECT_TRUE(ring.full());
}

// The controller's side: writes the next entry with the phase of its current pass.
struct FakeController {
  CompletionEntry* ring;
  uint16_t size, tail = 0;
  uint8_t phase = 1;
  void complete(uint16_t command_id, uint16_t status_field) {
    ring[tail] =
        CompletionEntry{0, 0, 0, 1, command_id, static_cast<uint16_t>(status_field << 1 | phase)};
    if (++tail == size) {
      tail = 0;
      phase ^= 1;
    }
  }
};

TEST(NvmeCompletionRing, EmptyUntilTheControllerWritesPhaseOne) {
  CompletionEntry entries[3] = {};
  CompletionRing ring;
  ring.init(entries, 3);
  EXPECT_EQ(ring.peek(), nullptr);
  FakeController c{entries, 3};
  c.complete(5, 0);
  ASSERT_NE(ring.peek(), nullptr);
  EXPECT_EQ(ring.peek()->command_id, 5u);
  EXPECT_EQ(ring.pop(), 1u);
  EXPECT_EQ(ring.peek(), nullptr);
}

TEST(NvmeCompletionRing, PhaseFlipsOnEveryWrap) {
  CompletionEntry entries[3] = {};
  CompletionRing ring;
  ring.init(entries, 3);
  FakeController c{entries, 3};
  uint16_t next_id = 0;
  // Three passes over the ring: the old entries of the previous pass must never be taken
  // for new ones.
  for (int pass = 0; pass < 3; ++pass) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(ring.peek(), nullptr) << "pass " << pass << " entry " << i;
      c.complete(next_id, 0);
      ASSERT_NE(ring.peek(), nullptr);
      EXPECT_EQ(ring.peek()->command_id, next_id);
      ring.pop();
      ++next_id;
    }
    EXPECT_EQ(ring.head(), 0u);
    EXPECT_EQ(ring.phase(), pass % 2 == 0 ? 0u : 1u);
  }
}

} // namespace
} // namespace nvme
