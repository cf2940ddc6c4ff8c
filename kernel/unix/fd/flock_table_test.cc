#include "lib/errno.h"
#include "unix/fd/flock_table.h"

#include <gtest/gtest.h>

namespace unix {
namespace {

using Mode = FlockTable::Mode;

// Descriptions are told apart by address only: any distinct objects do.
int a_description, b_description, c_description;
const void* const A = &a_description;
const void* const B = &b_description;
const void* const C = &c_description;
constexpr uintptr_t kFile = 7, kOtherFile = 9;

TEST(FlockTable, SharedLocksCoexistExclusiveExcludes) {
  FlockTable t;
  EXPECT_EQ(t.lock(kFile, A, Mode::kShared), 0);
  EXPECT_EQ(t.lock(kFile, B, Mode::kShared), 0);
  EXPECT_EQ(t.lock(kFile, C, Mode::kExclusive), -EAGAIN);
  t.unlock(A);
  EXPECT_EQ(t.lock(kFile, C, Mode::kExclusive), -EAGAIN); // B still shares it
  t.unlock(B);
  EXPECT_EQ(t.lock(kFile, C, Mode::kExclusive), 0);
  EXPECT_EQ(t.lock(kFile, A, Mode::kShared), -EAGAIN);
}

TEST(FlockTable, OtherFilesDoNotConflict) {
  FlockTable t;
  EXPECT_EQ(t.lock(kFile, A, Mode::kExclusive), 0);
  EXPECT_EQ(t.lock(kOtherFile, B, Mode::kExclusive), 0);
}

TEST(FlockTable, RelockingInTheSameModeIsANoOp) {
  FlockTable t;
  EXPECT_EQ(t.lock(kFile, A, Mode::kExclusive), 0);
  EXPECT_EQ(t.lock(kFile, A, Mode::kExclusive), 0);
  EXPECT_TRUE(t.unlock(A));
  EXPECT_FALSE(t.unlock(A)); // one lock, not two
}

TEST(FlockTable, ConversionDropsTheOldLockFirst) {
  FlockTable t;
  EXPECT_EQ(t.lock(kFile, A, Mode::kShared), 0);
  EXPECT_EQ(t.lock(kFile, B, Mode::kShared), 0);
  // A's upgrade conflicts with B: A's shared lock is gone afterwards, as on Linux.
  EXPECT_EQ(t.lock(kFile, A, Mode::kExclusive), -EAGAIN);
  EXPECT_FALSE(t.holds(A));
  // B, alone now, upgrades.
  EXPECT_EQ(t.lock(kFile, B, Mode::kExclusive), 0);
  Mode m;
  ASSERT_TRUE(t.holds(B, &m));
  EXPECT_EQ(m, Mode::kExclusive);
  // And downgrades, which lets A share again.
  EXPECT_EQ(t.lock(kFile, B, Mode::kShared), 0);
  EXPECT_EQ(t.lock(kFile, A, Mode::kShared), 0);
}

TEST(FlockTable, FullTableIsENOLCKAndFreedSlotsAreReused) {
  static FlockTable t; // large: not on the stack
  static char owners[FlockTable::kCapacity + 1];
  for (int i = 0; i < FlockTable::kCapacity; ++i)
    ASSERT_EQ(t.lock(static_cast<uintptr_t>(i), &owners[i], Mode::kShared), 0) << i;
  EXPECT_EQ(t.lock(99999, &owners[FlockTable::kCapacity], Mode::kShared), -ENOLCK);
  EXPECT_TRUE(t.unlock(&owners[3]));
  EXPECT_EQ(t.lock(99999, &owners[FlockTable::kCapacity], Mode::kShared), 0);
}

} // namespace
} // namespace unix
