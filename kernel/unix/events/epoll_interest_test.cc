#include "unix/events/epoll_interest.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace unix {
namespace {

// A stand-in for a file: what it is ready for and its change counters.
struct FakeFile {
  Readiness r;
  void data_arrives() {
    r.events |= kEpollIn;
    ++r.in_gen;
  }
  void drained() { r.events &= ~kEpollIn; }
};

Readiness ready(void* file, void*) {
  return static_cast<FakeFile*>(file)->r;
}

class InterestListTest : public ::testing::Test {
protected:
  void TearDown() override { list.clear(); }
  int collect(int max = 8) { return list.collect(ready, nullptr, ev, max); }
  InterestList list;
  EpollEvent ev[8];
};

TEST_F(InterestListTest, AddModifyRemoveErrors) {
  FakeFile a;
  EXPECT_EQ(list.add(&a, 3, kEpollIn, 1), 0);
  EXPECT_EQ(list.add(&a, 3, kEpollIn, 1), -EEXIST);
  EXPECT_EQ(list.add(&a, 4, kEpollIn, 2), 0); // same file under another descriptor
  EXPECT_EQ(list.modify(&a, 5, kEpollIn, 0), -ENOENT);
  EXPECT_EQ(list.remove(&a, 5), -ENOENT);
  EXPECT_EQ(list.remove(&a, 3), 0);
  EXPECT_EQ(list.size(), 1u);
  EXPECT_EQ(list.remove_file(&a), 1);
  EXPECT_EQ(list.size(), 0u);
}

TEST_F(InterestListTest, LevelTriggeredReportsWhileReady) {
  FakeFile a;
  list.add(&a, 3, kEpollIn, 0xABCDEF0123456789ull);
  EXPECT_EQ(collect(), 0);
  a.data_arrives();
  ASSERT_EQ(collect(), 1);
  EXPECT_EQ(ev[0].events, kEpollIn);
  EXPECT_EQ(ev[0].data, 0xABCDEF0123456789ull); // data comes back as given
  EXPECT_EQ(collect(), 1);                       // still ready: reported again
  a.drained();
  EXPECT_EQ(collect(), 0);
}

TEST_F(InterestListTest, EdgeTriggeredReportsOncePerChange) {
  FakeFile a;
  a.data_arrives(); // ready before it is added: one report is due
  list.add(&a, 3, kEpollIn | kEpollEt, 7);
  EXPECT_EQ(collect(), 1);
  EXPECT_EQ(collect(), 0); // no new data, no new event
  a.data_arrives();        // more data while still readable: a new edge
  EXPECT_EQ(collect(), 1);
  EXPECT_EQ(collect(), 0);
  ++a.r.out_gen; // a change in a direction it does not watch is no edge
  EXPECT_EQ(collect(), 0);
  list.modify(&a, 3, kEpollIn | kEpollEt, 8); // MOD re-arms the edge
  ASSERT_EQ(collect(), 1);
  EXPECT_EQ(ev[0].data, 8u);
}

TEST_F(InterestListTest, OneshotDisablesUntilModified) {
  FakeFile a;
  a.data_arrives();
  list.add(&a, 3, kEpollIn | kEpollOneshot, 0);
  EXPECT_EQ(collect(), 1);
  a.data_arrives();
  a.r.events |= kEpollHup;
  EXPECT_EQ(collect(), 0); // disabled: not even hang-ups
  list.modify(&a, 3, kEpollIn | kEpollOneshot, 0);
  EXPECT_EQ(collect(), 1);
  EXPECT_EQ(collect(), 0);
}

TEST_F(InterestListTest, ErrorsAndHangupsAlwaysReported) {
  FakeFile a;
  a.r.events = kEpollHup | kEpollIn;
  list.add(&a, 3, kEpollOut, 0); // asked for output only
  ASSERT_EQ(collect(), 1);
  EXPECT_EQ(ev[0].events, kEpollHup);
  a.r.events = kEpollOut | kEpollRdHup;
  ASSERT_EQ(collect(), 1);
  EXPECT_EQ(ev[0].events, kEpollOut); // RDHUP only when asked for
}

TEST_F(InterestListTest, SmallMaxRotatesThroughReadyFiles) {
  FakeFile f[3];
  for (int i = 0; i < 3; ++i) {
    f[i].data_arrives();
    list.add(&f[i], i, kEpollIn, static_cast<uint64_t>(i));
  }
  ASSERT_EQ(collect(2), 2);
  EXPECT_EQ(ev[0].data, 0u);
  EXPECT_EQ(ev[1].data, 1u);
  ASSERT_EQ(collect(2), 2); // the one left out comes first now
  EXPECT_EQ(ev[0].data, 2u);
  EXPECT_EQ(ev[1].data, 0u);
}

TEST_F(InterestListTest, AnyDueChangesNothing) {
  FakeFile a;
  list.add(&a, 3, kEpollIn | kEpollEt, 0);
  EXPECT_FALSE(list.any_due(ready, nullptr));
  a.data_arrives();
  EXPECT_TRUE(list.any_due(ready, nullptr));
  EXPECT_TRUE(list.any_due(ready, nullptr)); // asking does not consume the edge
  EXPECT_EQ(collect(), 1);
  EXPECT_FALSE(list.any_due(ready, nullptr));
}

TEST(InterestListExclusive, OneInstanceReportsEachEvent) {
  FakeFile listener;
  InterestList a, b, shared;
  EpollEvent out[4];
  ASSERT_EQ(a.add(&listener, 3, kEpollIn | kEpollExclusive, 1), 0);
  ASSERT_EQ(b.add(&listener, 3, kEpollIn | kEpollExclusive, 2), 0);
  ASSERT_EQ(shared.add(&listener, 3, kEpollIn, 3), 0); // not exclusive: always told
  listener.data_arrives();
  EXPECT_TRUE(a.any_due(ready, nullptr));
  EXPECT_TRUE(b.any_due(ready, nullptr));
  EXPECT_EQ(a.collect(ready, nullptr, out, 4), 1);
  EXPECT_FALSE(b.any_due(ready, nullptr));
  EXPECT_EQ(b.collect(ready, nullptr, out, 4), 0);
  EXPECT_EQ(shared.collect(ready, nullptr, out, 4), 1);
  EXPECT_EQ(a.collect(ready, nullptr, out, 4), 1); // level-triggered for its claimer
  // The next event goes to whoever collects first.
  listener.data_arrives();
  EXPECT_EQ(b.collect(ready, nullptr, out, 4), 1);
  EXPECT_EQ(out[0].data, 2u);
  EXPECT_EQ(a.collect(ready, nullptr, out, 4), 0);
  // The claim outlives the claimer's interest: the others wait for the next event.
  EXPECT_EQ(b.remove(&listener, 3), 0);
  EXPECT_EQ(a.collect(ready, nullptr, out, 4), 0);
  listener.data_arrives();
  EXPECT_EQ(a.collect(ready, nullptr, out, 4), 1);
  // A file that is gone takes its claims along.
  EXPECT_EQ(b.add(&listener, 3, kEpollIn | kEpollExclusive, 2), 0);
  EXPECT_EQ(b.collect(ready, nullptr, out, 4), 0); // a's claim
  forget_exclusive_claims(&listener);
  EXPECT_EQ(b.collect(ready, nullptr, out, 4), 1);
  a.clear();
  b.clear();
  shared.clear();
}

} // namespace
} // namespace unix
