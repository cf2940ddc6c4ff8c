#include "image/guest_tree.h"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace mkimage {
namespace {

std::string errorOf(llvm::Error e) {
  return e ? llvm::toString(std::move(e)) : "";
}

// A scratch directory with files of chosen contents, removed at the end of the test.
class ScratchDir {
public:
  ScratchDir() {
    char pattern[] = "/tmp/guest_tree_test.XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~ScratchDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string write(const std::string& name, const std::string& bytes) {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

GuestNode fileNode(const std::string& host, const std::string& source) {
  GuestNode n;
  n.kind = GuestNode::Kind::File;
  n.hostPath = host;
  n.source = source;
  return n;
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
  ScratchDir dir;
  GuestTree t;
  GuestNode lib = fileNode(dir.write("libc", "the real libc"), "library /lib/libc.so.6");
  ASSERT_EQ(errorOf(t.add("/lib/libc.so.6", lib)), "");
  GuestNode mine = fileNode(dir.write("mine", "another libc!"), "--file my:/lib/libc.so.6");
  std::string err = errorOf(t.add("/lib/libc.so.6", mine));
  EXPECT_NE(err.find("library /lib/libc.so.6"), std::string::npos) << err;
  EXPECT_NE(err.find("--file my:/lib/libc.so.6"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  // A file under a file is a clash too.
  EXPECT_NE(errorOf(t.add("/lib/libc.so.6/x", mine)), "");
  // A file where a directory is, and a symlink with another target, clash.
  GuestNode d;
  EXPECT_NE(errorOf(t.add("/lib/libc.so.6", d)), "");
  GuestNode link1, link2;
  link1.kind = link2.kind = GuestNode::Kind::Symlink;
  link1.linkTarget = "usr/lib";
  link2.linkTarget = "/usr/lib";
  ASSERT_EQ(errorOf(t.add("/lib64", link1)), "");
  EXPECT_NE(errorOf(t.add("/lib64", link2)), "");
}

TEST(GuestTree, SameHostFileIsOneEntry) {
  // The case: --dir $J:$J holds the program and libraries the resolver also adds.
  ScratchDir dir;
  std::string java = dir.write("java", std::string(100000, 'j'));
  ASSERT_EQ(::symlink(java.c_str(), (dir.path() + "/alias").c_str()), 0);
  GuestTree t;
  ASSERT_EQ(errorOf(t.add("/jdk/bin/java", fileNode(java, "the program"))), "");
  EXPECT_EQ(errorOf(t.add("/jdk/bin/java", fileNode(dir.path() + "/alias", "--dir"))), "");
  EXPECT_EQ(errorOf(t.add("/jdk/bin/java", fileNode(java, "--package x"))), "");
  // The first source stays the entry's.
  EXPECT_EQ(t.nodes().at("/jdk/bin/java").source, "the program");
}

TEST(GuestTree, IdenticalBytesAreOneEntryDifferentBytesClash) {
  ScratchDir dir;
  std::string a = dir.write("a", std::string(200000, 'x') + "end");
  std::string b = dir.write("b", std::string(200000, 'x') + "end");
  std::string c = dir.write("c", std::string(200000, 'x') + "enD"); // same size, last byte
  std::string e = dir.write("e", "");
  std::string f = dir.write("f", "");
  GuestTree t;
  ASSERT_EQ(errorOf(t.add("/x", fileNode(a, "first"))), "");
  EXPECT_EQ(errorOf(t.add("/x", fileNode(b, "second"))), "");
  std::string err = errorOf(t.add("/x", fileNode(c, "third")));
  EXPECT_NE(err.find("clashes"), std::string::npos) << err;
  EXPECT_NE(err.find("first"), std::string::npos) << err;
  EXPECT_NE(err.find("third"), std::string::npos) << err;
  ASSERT_EQ(errorOf(t.add("/empty", fileNode(e, "e"))), "");
  EXPECT_EQ(errorOf(t.add("/empty", fileNode(f, "f"))), "");
  // Same link target, same generated contents: one entry.
  GuestNode l;
  l.kind = GuestNode::Kind::Symlink;
  l.linkTarget = "x";
  ASSERT_EQ(errorOf(t.add("/l", l)), "");
  EXPECT_EQ(errorOf(t.add("/l", l)), "");
  GuestNode g;
  g.kind = GuestNode::Kind::Generated;
  g.contents = "hello\n";
  ASSERT_EQ(errorOf(t.add("/g", g)), "");
  EXPECT_EQ(errorOf(t.add("/g", g)), "");
  g.contents = "other\n";
  EXPECT_NE(errorOf(t.add("/g", g)), "");
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
