#include "lib/path_rules.h"

#include <gtest/gtest.h>
#include <string>

namespace {

klib::PathProblem check(const std::string& p) {
  return klib::check_guest_path(p.data(), p.size());
}

TEST(PathRules, AcceptsCanonicalAbsolutePaths) {
  for (const char* p : {"/", "/a", "/a/b", "/a/b/", "/.hidden", "/a..b", "/..."})
    EXPECT_EQ(check(p), klib::PathProblem::kNone) << p;
}

TEST(PathRules, RefusesWhatTheKernelCannotOpenOrWouldResolveElsewhere) {
  using P = klib::PathProblem;
  EXPECT_EQ(check(""), P::kEmpty);
  EXPECT_EQ(check("rel"), P::kNotAbsolute);
  EXPECT_EQ(check(std::string("/a\0b", 4)), P::kNulByte);
  EXPECT_EQ(check("//a"), P::kEmptyComponent);
  EXPECT_EQ(check("/a//b"), P::kEmptyComponent);
  EXPECT_EQ(check("/a//"), P::kEmptyComponent);
  EXPECT_EQ(check("/a/./b"), P::kDotComponent);
  EXPECT_EQ(check("/a/../b"), P::kDotDotComponent);
  EXPECT_EQ(check("/.."), P::kDotDotComponent);
}

TEST(PathRules, LimitsAreLinuxs) {
  using P = klib::PathProblem;
  EXPECT_EQ(check("/" + std::string(255, 'n')), P::kNone);
  EXPECT_EQ(check("/" + std::string(256, 'n')), P::kNameTooLong);
  // 4095 bytes is the longest path (4096 with its NUL).
  std::string longest;
  while (longest.size() + 101 <= 4095)
    longest += "/" + std::string(100, 'x');
  longest += "/" + std::string(4095 - longest.size() - 1, 'y');
  ASSERT_EQ(longest.size(), 4095u);
  EXPECT_EQ(check(longest), P::kNone);
  EXPECT_EQ(check(longest + "z"), P::kPathTooLong);
  EXPECT_STREQ(klib::path_problem_text(P::kNameTooLong),
               "name too long (a component over 255 bytes)");
}

} // namespace
