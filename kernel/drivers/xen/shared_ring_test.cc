#include "drivers/xen/ring_test_page.h"
#include "drivers/xen/shared_ring.h"

#include <cstring>
#include <gtest/gtest.h>

namespace xen_ring {
namespace {

using Page = xen_ring::testing::RingPage;

TEST(SharedRing, SlotCountIsTheLargestPowerOfTwoThatFits) {
  EXPECT_EQ(slots_for(112), 32u); // blkif
  EXPECT_EQ(slots_for(12), 256u); // netif transmit
  EXPECT_EQ(slots_for(8), 256u);  // netif receive (504 would fit, 512 not)
  EXPECT_EQ(slots_for(4032), 1u);
}

TEST(SharedRing, PushNotifiesOnlyWhenTheBackEndAskedWithinThePush) {
  Page p;
  FrontRing ring;
  ring.init(p.bytes, 8);
  ASSERT_NE(ring.next_request(), nullptr);
  EXPECT_TRUE(ring.push()); // req_event 1: the back-end waits for the first request
  EXPECT_EQ(p.index(0), 1u);
  // The back-end is busy and asked for nothing beyond index 5 yet.
  p.set_index(1, 5);
  ASSERT_NE(ring.next_request(), nullptr);
  ASSERT_NE(ring.next_request(), nullptr);
  EXPECT_FALSE(ring.push()); // producer 1 -> 3: event 5 not reached
  ASSERT_NE(ring.next_request(), nullptr);
  ASSERT_NE(ring.next_request(), nullptr);
  ASSERT_NE(ring.next_request(), nullptr);
  EXPECT_TRUE(ring.push()); // 3 -> 6 passes 5
  EXPECT_EQ(p.index(0), 6u);
  EXPECT_FALSE(ring.push()); // nothing new
}

TEST(SharedRing, RequestsAndResponsesCycleThroughTheSlots) {
  Page p;
  FrontRing ring;
  ring.init(p.bytes, 8);
  // More requests than slots, each answered: the slots are reused in turn.
  for (uint32_t i = 0; i < 300; ++i) {
    ASSERT_NE(ring.next_request(), nullptr);
    ring.push();
    p.set_index(2, i + 1);
    ASSERT_NE(ring.peek_response(), nullptr);
    ring.consume();
  }
  EXPECT_EQ(ring.in_flight(), 0u);
  EXPECT_EQ(ring.peek_response(), nullptr);
  EXPECT_EQ(p.index(3), 301u);
}

TEST(SharedRing, FullRingRefusesUntilResponsesAreConsumed) {
  Page p;
  FrontRing ring;
  ring.init(p.bytes, 112);
  for (size_t i = 0; i < 32; ++i)
    ASSERT_NE(ring.next_request(), nullptr);
  EXPECT_EQ(ring.next_request(), nullptr);
  ring.push();
  p.set_index(2, 2);                       // two answered
  EXPECT_EQ(ring.next_request(), nullptr); // not consumed yet: their slots hold responses
  ASSERT_NE(ring.peek_response(), nullptr);
  ring.consume();
  volatile void* again = ring.next_request();
  EXPECT_EQ(again, static_cast<volatile void*>(p.bytes + kHeaderSize)); // wrapped to slot 0
}

TEST(SharedRing, ArmAndCheckSeesResponsesThatRaisedNoEvent) {
  Page p;
  FrontRing ring;
  ring.init(p.bytes, 8);
  for (int i = 0; i < 3; ++i)
    ASSERT_NE(ring.next_request(), nullptr);
  ring.push();
  EXPECT_FALSE(ring.arm_and_check());
  EXPECT_EQ(p.index(3), 1u);
  p.set_index(2, 2);
  ASSERT_NE(ring.peek_response(), nullptr);
  ring.consume();
  EXPECT_TRUE(ring.arm_and_check()); // the second response is there
  ring.consume();
  EXPECT_FALSE(ring.arm_and_check());
  EXPECT_EQ(p.index(3), 3u); // an event at the third response
}

} // namespace
} // namespace xen_ring
