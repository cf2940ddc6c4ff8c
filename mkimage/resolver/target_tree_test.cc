#include "resolver/target_tree.h"

#include "gtest/gtest.h"
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace mkimage {
namespace {

class TargetTreeTest : public testing::Test {
protected:
  void SetUp() override {
    char pattern[] = "/tmp/target-tree-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
    std::filesystem::create_directories(root_ + "/usr/lib/x86_64-linux-gnu");
    std::ofstream(root_ + "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13") << "z";
    link("libz.so.1.2.13", "/usr/lib/x86_64-linux-gnu/libz.so.1");
    link("usr/lib", "/lib");
    std::filesystem::create_directories(root_ + "/lib64");
    link("/lib/x86_64-linux-gnu/libz.so.1", "/lib64/abs");
    link("../../../../../../etc", "/usr/lib/escape");
    link("loop2", "/loop1");
    link("loop1", "/loop2");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void link(const std::string& target, const std::string& at) {
    ASSERT_EQ(symlink(target.c_str(), (root_ + at).c_str()), 0) << at;
  }
  std::string root_;
};

TEST_F(TargetTreeTest, FollowsRelativeAndAbsoluteLinksInsideTheRoot) {
  TargetTree tree(root_);
  GuestLookup r = tree.lookup("/lib64/abs");
  ASSERT_EQ(r.status, GuestLookup::Status::Found);
  EXPECT_EQ(r.realGuestPath, "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13");
  EXPECT_EQ(r.hostPath, root_ + "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13");
  EXPECT_TRUE(r.isRegular);
  ASSERT_EQ(r.links.size(), 3u);
  EXPECT_EQ(r.links[0].guestPath, "/lib64/abs");
  EXPECT_EQ(r.links[0].target, "/lib/x86_64-linux-gnu/libz.so.1");
  EXPECT_EQ(r.links[1].guestPath, "/lib");
  EXPECT_EQ(r.links[1].target, "usr/lib");
  EXPECT_EQ(r.links[2].guestPath, "/usr/lib/x86_64-linux-gnu/libz.so.1");
  EXPECT_EQ(r.links[2].target, "libz.so.1.2.13");
}

TEST_F(TargetTreeTest, DotDotNeverLeavesTheRoot) {
  TargetTree tree(root_);
  // /usr/lib/escape -> ../../../../../../etc resolves to <root>/etc, which does not exist,
  // even though the host has /etc.
  EXPECT_EQ(tree.lookup("/usr/lib/escape/passwd").status, GuestLookup::Status::NotFound);
  EXPECT_EQ(tree.lookup("/../../../usr/lib/x86_64-linux-gnu/libz.so.1").status,
            GuestLookup::Status::Found);
}

TEST_F(TargetTreeTest, LoopsAndNonDirectoriesFail) {
  TargetTree tree(root_);
  EXPECT_EQ(tree.lookup("/loop1").status, GuestLookup::Status::Loop);
  EXPECT_EQ(tree.lookup("/lib/x86_64-linux-gnu/libz.so.1/x").status,
            GuestLookup::Status::NotDirectory);
  GuestLookup missing = tree.lookup("/lib/x86_64-linux-gnu/libnone.so");
  EXPECT_EQ(missing.status, GuestLookup::Status::NotFound);
  // The directory that would hold it is a dependency of the answer.
  EXPECT_EQ(tree.consulted().count(root_ + "/usr/lib/x86_64-linux-gnu"), 1u);
}

TEST(GuestPaths, NormalizeAndJoin) {
  EXPECT_EQ(normalizeGuest("/a/./b/../c//d/"), "/a/c/d");
  EXPECT_EQ(normalizeGuest("/../.."), "/");
  EXPECT_EQ(joinGuest("/a/", "b"), "/a/b");
  EXPECT_EQ(joinGuest("/a", "b"), "/a/b");
}

} // namespace
} // namespace mkimage
