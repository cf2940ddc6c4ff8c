#include "unix/path_walk.h"

#include <cerrno>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

// A tiny tree: nodes with a name, a parent, a kind and an optional link target.
class FakeTree final : public unix::PathTree {
public:
  FakeTree() { nodes_.push_back({"", 0, true, ""}); }
  unix::NodeId add_dir(unix::NodeId parent, const char* name) {
    return add({name, parent, true, ""});
  }
  unix::NodeId add_file(unix::NodeId parent, const char* name) {
    return add({name, parent, false, ""});
  }
  unix::NodeId add_link(unix::NodeId parent, const char* name, const char* target) {
    return add({name, parent, false, target, true});
  }

  unix::NodeId root() const override { return 0; }
  unix::NodeId parent(unix::NodeId dir) const override { return nodes_[dir].parent; }
  bool is_directory(unix::NodeId n) const override { return nodes_[n].dir; }
  const char* symlink_target(unix::NodeId n) const override {
    return nodes_[n].link ? nodes_[n].target.c_str() : nullptr;
  }
  unix::NodeId child(unix::NodeId dir, const char* name, size_t len) const override {
    for (size_t i = 1; i < nodes_.size(); ++i)
      if (nodes_[i].parent == dir && nodes_[i].name == std::string(name, len))
        return static_cast<unix::NodeId>(i);
    return -ENOENT;
  }

private:
  struct Node {
    std::string name;
    unix::NodeId parent;
    bool dir;
    std::string target;
    bool link = false;
  };
  unix::NodeId add(Node n) {
    nodes_.push_back(n);
    return static_cast<unix::NodeId>(nodes_.size() - 1);
  }
  std::vector<Node> nodes_;
};

class PathWalk : public ::testing::Test {
protected:
  PathWalk() {
    usr = t.add_dir(0, "usr");
    usr_lib = t.add_dir(usr, "lib");
    libc = t.add_file(usr_lib, "libc.so.6");
    t.add_link(0, "lib", "usr/lib");
    t.add_link(0, "lib64", "/usr/lib");
    t.add_link(usr_lib, "libc.so", "libc.so.6");
    t.add_link(0, "loop1", "loop2");
    t.add_link(0, "loop2", "/loop1");
    t.add_link(0, "dangling", "nowhere");
  }
  unix::NodeId walk(const char* p, bool follow = true, unix::NodeId cwd = 0) {
    return unix::walk_path(t, cwd, p, follow);
  }
  FakeTree t;
  unix::NodeId usr, usr_lib, libc;
};

TEST_F(PathWalk, PlainAndDotComponents) {
  EXPECT_EQ(walk("/"), 0);
  EXPECT_EQ(walk("/usr/lib/libc.so.6"), libc);
  EXPECT_EQ(walk("//usr///lib/./libc.so.6"), libc);
  EXPECT_EQ(walk("/usr/lib/../lib/libc.so.6"), libc);
  EXPECT_EQ(walk("/../usr"), usr);
  EXPECT_EQ(walk("lib/libc.so.6", true, usr), libc);
}

TEST_F(PathWalk, SymlinksMergedUsr) {
  EXPECT_EQ(walk("/lib/libc.so.6"), libc);
  EXPECT_EQ(walk("/lib64/libc.so.6"), libc);
  EXPECT_EQ(walk("/lib/libc.so"), libc);
  unix::NodeId link = walk("/lib/libc.so", false);
  ASSERT_GE(link, 0);
  EXPECT_STREQ(t.symlink_target(link), "libc.so.6");
  EXPECT_EQ(walk("/lib/"), usr_lib);
}

TEST_F(PathWalk, Errors) {
  EXPECT_EQ(walk("/nope"), -ENOENT);
  EXPECT_EQ(walk(""), -ENOENT);
  EXPECT_EQ(walk("/usr/lib/libc.so.6/x"), -ENOTDIR);
  EXPECT_EQ(walk("/usr/lib/libc.so.6/"), -ENOTDIR);
  EXPECT_EQ(walk("/loop1"), -ELOOP);
  EXPECT_GE(walk("/loop1", false), 0);
  EXPECT_EQ(walk("/dangling"), -ENOENT);
  EXPECT_EQ(walk(std::string(300, 'a').c_str()), -ENAMETOOLONG);
  EXPECT_EQ(walk(std::string(5000, '/').c_str()), -ENAMETOOLONG);
}

} // namespace
