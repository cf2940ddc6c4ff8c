#include "arch/x86_64/user_ptr.h"

#include <gtest/gtest.h>
#include <type_traits>

namespace {

struct Pair {
  uint64_t a, b;
};

// The point of UserPtr: nothing turns it into a pointer the kernel could dereference.
static_assert(!std::is_convertible_v<UserPtr<int>, int*>);
static_assert(!std::is_convertible_v<UserPtr<int>, void*>);
static_assert(!std::is_convertible_v<UserPtr<int>, uint64_t>);
static_assert(!std::is_constructible_v<int*, UserPtr<int>>);
// ... and nothing turns a kernel pointer or a number into one without saying so.
static_assert(!std::is_convertible_v<int*, UserPtr<int>>);
static_assert(!std::is_convertible_v<uint64_t, UserPtr<int>>);
// Nor one user type into another.
static_assert(!std::is_convertible_v<UserPtr<int>, UserPtr<Pair>>);

TEST(UserPtr, AddressAndNull) {
  EXPECT_TRUE(UserPtr<int>().is_null());
  UserPtr<int> p(0x1000);
  EXPECT_FALSE(p.is_null());
  EXPECT_EQ(p.address(), 0x1000u);
}

TEST(UserPtr, OffsetCountsElements) {
  UserPtr<Pair> p(0x2000);
  EXPECT_EQ(p.offset(0).address(), 0x2000u);
  EXPECT_EQ(p.offset(3).address(), 0x2000u + 3 * sizeof(Pair));
  EXPECT_EQ(p.byte_offset(5).address(), 0x2005u);
}

TEST(UserPtr, AsKeepsTheAddress) {
  UserPtr<Pair> p(0x3008);
  UserPtr<uint64_t> second = p.as<uint64_t>().offset(1);
  EXPECT_EQ(second.address(), 0x3010u);
  EXPECT_EQ(p.as<void>().address(), 0x3008u);
}

} // namespace
