#include "arch/x86_64/irq_table.h"

#include <gtest/gtest.h>
#include <set>
#include <vector>

namespace {

using irq::VectorTable;

void count_call(void* ctx) {
  ++*static_cast<int*>(ctx);
}
void other_handler(void*) {}

TEST(VectorTable, AllocatesDeviceVectorsWithTheirHandler) {
  VectorTable t;
  int calls = 0;
  auto v = t.allocate(count_call, &calls, "disk");
  ASSERT_TRUE(v.ok());
  EXPECT_GE(*v, irq::kFirstDeviceVector);
  EXPECT_LE(*v, irq::kLastDeviceVector);
  const VectorTable::Entry* e = t.entry(*v);
  ASSERT_NE(e, nullptr);
  EXPECT_STREQ(e->name, "disk");
  EXPECT_EQ(e->ctx, &calls);
  EXPECT_EQ(t.allocated(), 1u);
}

TEST(VectorTable, DispatchRunsTheHandlerWithItsContextAndCounts) {
  VectorTable t;
  int a = 0, b = 0;
  uint8_t va = *t.allocate(count_call, &a, "a");
  uint8_t vb = *t.allocate(count_call, &b, "b");
  EXPECT_TRUE(t.dispatch(va));
  EXPECT_TRUE(t.dispatch(vb));
  EXPECT_TRUE(t.dispatch(vb));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 2);
  EXPECT_EQ(t.entry(vb)->count, 2u);
  EXPECT_EQ(t.unexpected(), 0u);
}

TEST(VectorTable, FreeAndNonDeviceVectorsAreUnexpected) {
  VectorTable t;
  EXPECT_FALSE(t.dispatch(irq::kFirstDeviceVector));
  EXPECT_FALSE(t.dispatch(0x27)); // a parked PIC's spurious IRQ 7
  EXPECT_FALSE(t.dispatch(0xF0));
  EXPECT_EQ(t.unexpected(), 3u);
  EXPECT_EQ(t.entry(0x27), nullptr);
}

TEST(VectorTable, EveryDeviceVectorOnceThenBusy) {
  VectorTable t;
  std::set<int> seen;
  for (size_t i = 0; i < irq::kDeviceVectorCount; ++i) {
    auto v = t.allocate(other_handler, nullptr, "x");
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(seen.insert(*v).second) << "vector handed out twice: " << int(*v);
  }
  auto full = t.allocate(other_handler, nullptr, "one too many");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error(), -EBUSY);
  EXPECT_EQ(t.allocated(), irq::kDeviceVectorCount);
}

TEST(VectorTable, ReleasedVectorIsFreeAndReusedOnlyAfterTheOthers) {
  VectorTable t;
  int calls = 0;
  uint8_t first = *t.allocate(count_call, &calls, "first");
  t.release(first);
  EXPECT_EQ(t.entry(first), nullptr);
  EXPECT_EQ(t.allocated(), 0u);
  EXPECT_FALSE(t.dispatch(first)); // a late interrupt finds no handler
  EXPECT_EQ(calls, 0);
  // Round-robin: the released vector comes back only once every other one was handed out.
  for (size_t i = 0; i + 1 < irq::kDeviceVectorCount; ++i)
    EXPECT_NE(*t.allocate(other_handler, nullptr, "x"), first);
  EXPECT_EQ(*t.allocate(other_handler, nullptr, "last"), first);
}

TEST(VectorTable, ReleaseOfFreeOrForeignVectorChangesNothing) {
  VectorTable t;
  uint8_t v = *t.allocate(other_handler, nullptr, "x");
  t.release(static_cast<uint8_t>(v + 1));
  t.release(0xF0);
  t.release(0x10);
  EXPECT_EQ(t.allocated(), 1u);
  t.release(v);
  t.release(v);
  EXPECT_EQ(t.allocated(), 0u);
}

TEST(VectorTable, NoHandlerIsInvalid) {
  VectorTable t;
  auto v = t.allocate(nullptr, nullptr, "none");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error(), -EINVAL);
  EXPECT_EQ(t.allocated(), 0u);
}

std::vector<int> g_ran;
void record_a(void* ctx) {
  g_ran.push_back(1 + *static_cast<int*>(ctx));
}
void record_b(void* ctx) {
  g_ran.push_back(100 + *static_cast<int*>(ctx));
}

TEST(SharedLine, RunsEveryHandlerInOrderAdded) {
  irq::SharedLine line;
  int zero = 0, ten = 10;
  ASSERT_TRUE(line.add(record_a, &zero));
  ASSERT_TRUE(line.add(record_b, &zero));
  ASSERT_TRUE(line.add(record_a, &ten)); // same handler, another device
  g_ran.clear();
  irq::SharedLine::run_line(&line);
  EXPECT_EQ(g_ran, (std::vector<int>{1, 100, 11}));
  EXPECT_EQ(line.size(), 3u);
}

TEST(SharedLine, RefusesDuplicatesNullAndOverflow) {
  irq::SharedLine line;
  int devices[irq::SharedLine::kMaxHandlers + 1] = {};
  EXPECT_FALSE(line.add(nullptr, &devices[0]));
  for (size_t i = 0; i < irq::SharedLine::kMaxHandlers; ++i)
    ASSERT_TRUE(line.add(record_a, &devices[i]));
  EXPECT_FALSE(line.add(record_a, &devices[0]));                             // already there
  EXPECT_FALSE(line.add(record_a, &devices[irq::SharedLine::kMaxHandlers])); // full
  EXPECT_EQ(line.size(), irq::SharedLine::kMaxHandlers);
}

TEST(SharedLine, RemoveKeepsTheOthersInOrder) {
  irq::SharedLine line;
  int a = 0, b = 1, c = 2;
  line.add(record_a, &a);
  line.add(record_a, &b);
  line.add(record_a, &c);
  EXPECT_TRUE(line.remove(record_a, &b));
  EXPECT_FALSE(line.remove(record_a, &b));
  EXPECT_FALSE(line.remove(record_b, &a)); // right context, wrong handler
  g_ran.clear();
  line.run();
  EXPECT_EQ(g_ran, (std::vector<int>{1, 3}));
  EXPECT_TRUE(line.add(record_a, &b)); // a freed slot is reusable
  EXPECT_EQ(line.size(), 3u);
}

using irq::GsiLineTable;
using irq::Polarity;
using irq::Trigger;

TEST(GsiLineTable, ALineIsFoundByItsGsiOnlyWhileInUse) {
  GsiLineTable t;
  EXPECT_EQ(t.find(20), nullptr);
  auto line = t.claim(20, Trigger::kLevel, Polarity::kLow);
  ASSERT_TRUE(line.ok());
  (*line)->vector = 0x41;
  EXPECT_EQ(t.find(20), *line);
  EXPECT_EQ(t.find(21), nullptr);
  EXPECT_EQ(t.used(), 1u);
  t.drop(*line);
  EXPECT_EQ(t.find(20), nullptr);
  EXPECT_EQ(t.used(), 0u);
}

TEST(GsiLineTable, DevicesJoinOnlyALineSignalledTheSameWay) {
  GsiLineTable t;
  auto none = t.find_compatible(24, Trigger::kLevel, Polarity::kHigh);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr); // no line yet: the caller claims one
  auto line = t.claim(24, Trigger::kLevel, Polarity::kHigh);
  ASSERT_TRUE(line.ok());
  auto same = t.find_compatible(24, Trigger::kLevel, Polarity::kHigh);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, *line);
  EXPECT_EQ(t.find_compatible(24, Trigger::kLevel, Polarity::kLow).error(), -EINVAL);
  EXPECT_EQ(t.find_compatible(24, Trigger::kEdge, Polarity::kHigh).error(), -EINVAL);
  EXPECT_EQ(t.claim(24, Trigger::kLevel, Polarity::kHigh).error(), -EEXIST);
}

TEST(GsiLineTable, FullTableRefusesAndAFreedEntryIsReused) {
  GsiLineTable t;
  GsiLineTable::Line* first = nullptr;
  for (uint32_t gsi = 0; gsi < GsiLineTable::kMaxLines; ++gsi) {
    auto line = t.claim(gsi, Trigger::kEdge, Polarity::kHigh);
    ASSERT_TRUE(line.ok());
    if (!first)
      first = *line;
  }
  EXPECT_EQ(t.claim(100, Trigger::kEdge, Polarity::kHigh).error(), -EBUSY);
  int device = 0;
  first->handlers.add(count_call, &device);
  t.drop(first);
  auto reused = t.claim(100, Trigger::kLevel, Polarity::kLow);
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(*reused, first);
  EXPECT_EQ((*reused)->handlers.size(), 0u); // a fresh line, no handler of the old one
  EXPECT_EQ((*reused)->trigger, Trigger::kLevel);
}

} // namespace
