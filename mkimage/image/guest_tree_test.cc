#include "image/guest_tree.h"

#include <gtest/gtest.h>

namespace mkimage {
namespace {

std::string errorOf(llvm::Error e) {
  return e ? llvm::toString(std::move(e)) : "";
}

TEST(GuestPath, Validation) {
  EXPECT_EQ(*validateGuestPath("/a/b/", "t"), "/a/b");
  EXPECT_EQ(*validateGuestPath("/", "t"), "/");
  for (llvm::StringRef bad : {"a/b", "/a/../b", "/a//b", "/a/./b", ""}) {
    auto r = validateGuestPath(bad, "--file x");
    ASSERT_FALSE(static_cast<bool>(r)) << bad.str();
    EXPECT_NE(llvm::toString(r.takeError()).find("--file x"), std::string::npos);
  }
  std::string nul("/a\0b", 4);
  auto r = validateGuestPath(nul, "t");
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_NE(llvm::toString(r.takeError()).find("NUL"), std::string::npos);
}

TEST(GuestTree, ClashNamesBothSources) {
  GuestTree t;
  GuestNode lib;
  lib.kind = GuestNode::Kind::File;
  lib.source = "library /lib/libc.so.6";
  ASSERT_EQ(errorOf(t.add("/lib/libc.so.6", lib)), "");
  GuestNode mine = lib;
  mine.source = "--file my:/lib/libc.so.6";
  std::string err = errorOf(t.add("/lib/libc.so.6", mine));
  EXPECT_NE(err.find("library /lib/libc.so.6"), std::string::npos) << err;
  EXPECT_NE(err.find("--file my:/lib/libc.so.6"), std::string::npos) << err;
  // A file under a file is a clash too.
  EXPECT_NE(errorOf(t.add("/lib/libc.so.6/x", mine)), "");
}

TEST(GuestTree, UserMappingOverridesGeneratedFile) {
  GuestTree t;
  GuestNode gen;
  gen.kind = GuestNode::Kind::Generated;
  gen.overridable = true;
  gen.contents = "root:x:0:0::/:/bin/false\n";
  gen.source = "generated";
  ASSERT_EQ(errorOf(t.add("/etc/passwd", gen)), "");
  GuestNode user;
  user.kind = GuestNode::Kind::File;
  user.source = "--file";
  ASSERT_EQ(errorOf(t.add("/etc/passwd", user)), "");
  EXPECT_EQ(t.nodes().at("/etc/passwd").kind, GuestNode::Kind::File);
  EXPECT_EQ(t.nodes().at("/etc").kind, GuestNode::Kind::Directory);
}

} // namespace
} // namespace mkimage
