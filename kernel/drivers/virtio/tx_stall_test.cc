#include "drivers/virtio/tx_stall.h"

#include <gtest/gtest.h>

namespace virtio {
namespace {

TEST(TxStall, IdleRingIsNeverStalled) {
  TxStallDetector d;
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(d.round(false, 0));
}

TEST(TxStall, ProgressBetweenRoundsIsNotAStall) {
  TxStallDetector d;
  EXPECT_FALSE(d.round(true, 10));
  EXPECT_FALSE(d.round(true, 11)); // one frame came back
  EXPECT_FALSE(d.round(true, 40));
}

TEST(TxStall, AWholeRoundWithoutCompletionsIsAStallUntilProgress) {
  TxStallDetector d;
  EXPECT_FALSE(d.round(true, 7)); // frames just queued: give the device a round
  EXPECT_TRUE(d.round(true, 7));
  EXPECT_TRUE(d.round(true, 7));  // still stuck: notify again
  EXPECT_FALSE(d.round(true, 9)); // the re-notification worked
}

TEST(TxStall, FramesQueuedAfterAnIdleRoundGetAFullRound) {
  TxStallDetector d;
  EXPECT_FALSE(d.round(false, 3));
  EXPECT_FALSE(d.round(true, 3)); // waiting only since this round
  EXPECT_TRUE(d.round(true, 3));
  EXPECT_FALSE(d.round(false, 5)); // drained
}

} // namespace
} // namespace virtio
