#include "fs/path_walk.h"

#include <cerrno>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

// A tiny tree: nodes with a name, a parent, a kind and an optional link target.
class FakeTree final : public fs::PathTree {
public:
  FakeTree() { nodes_.push_back({"", 0, true, ""}); }
  fs::NodeId add_dir(fs::NodeId parent, const char* name) {
    return add({name, parent, true, ""});
  }
  fs::NodeId add_file(fs::NodeId parent, const char* name) {
    return add({name, parent, false, ""});
  }
  fs::NodeId add_link(fs::NodeId parent, const char* name, const char* target) {
    return add({name, parent, false, target, true});
  }

  fs::NodeId root() const override { return 0; }
  fs::NodeId parent(fs::NodeId dir) const override { return nodes_[dir].parent; }
  bool is_directory(fs::NodeId n) const override { return nodes_[n].dir; }
  const char* symlink_target(fs::NodeId n) const override {
    return nodes_[n].link ? nodes_[n].target.c_str() : nullptr;
  }
  fs::NodeId child(fs::NodeId dir, const char* name, size_t len) const override {
    ++child_calls;
    for (size_t i = 1; i < nodes_.size(); ++i)
      if (nodes_[i].parent == dir && !nodes_[i].removed && nodes_[i].name == std::string(name, len))
        return static_cast<fs::NodeId>(i);
    return -ENOENT;
  }
  uint64_t generation() const override { return generation_; }
  fs::PrefixCache* prefix_cache() const override { return cached ? &cache_ : nullptr; }

  // Takes n out of its directory (as unlink or the first half of a rename does).
  void remove(fs::NodeId n) {
    nodes_[n].removed = true;
    ++generation_;
  }
  bool cached = true;
  mutable int child_calls = 0;

private:
  struct Node {
    std::string name;
    fs::NodeId parent;
    bool dir;
    std::string target;
    bool link = false;
    bool removed = false;
  };
  fs::NodeId add(Node n) {
    ++generation_;
    nodes_.push_back(n);
    return static_cast<fs::NodeId>(nodes_.size() - 1);
  }
  std::vector<Node> nodes_;
  uint64_t generation_ = 0;
  mutable fs::PrefixCache cache_;
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
  fs::NodeId walk(const char* p, bool follow = true, fs::NodeId cwd = 0) {
    return fs::walk_path(t, cwd, p, follow);
  }
  FakeTree t;
  fs::NodeId usr, usr_lib, libc;
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
  fs::NodeId link = walk("/lib/libc.so", false);
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

TEST_F(PathWalk, SameResultsWithoutThePrefixCache) {
  const char* paths[] = {"/usr/lib/libc.so.6", "/usr/lib/", "/usr/lib//libc.so", "/lib/libc.so.6",
                         "/usr/lib/../lib/libc.so.6", "/usr/lib/nope", "/usr/lib/libc.so.6/x",
                         "/usr/lib/libc.so.6/", "lib/libc.so.6", "/usr/lib/."};
  std::vector<fs::NodeId> cached, plain;
  for (int round = 0; round < 2; ++round) // the second round runs on a warm cache
    for (const char* p : paths)
      cached.push_back(walk(p, true, round ? usr : 0));
  t.cached = false;
  for (int round = 0; round < 2; ++round)
    for (const char* p : paths)
      plain.push_back(walk(p, true, round ? usr : 0));
  EXPECT_EQ(cached, plain);
}

TEST_F(PathWalk, ARepeatedDirectorySkipsItsComponents) {
  fs::NodeId deep = t.add_dir(t.add_dir(t.add_dir(usr_lib, "a"), "b"), "c");
  fs::NodeId f = t.add_file(deep, "f");
  EXPECT_EQ(walk("/usr/lib/a/b/c/f"), f);
  t.child_calls = 0;
  EXPECT_EQ(walk("/usr/lib/a/b/c/f"), f);
  EXPECT_EQ(t.child_calls, 1); // only "f": the prefix came from the cache
  EXPECT_EQ(walk("/usr/lib/a/b/c/missing"), -ENOENT);
  EXPECT_EQ(t.child_calls, 2);
  // A relative walk from another directory does not take the absolute prefix.
  EXPECT_EQ(walk("a/b/c/f", true, usr_lib), f);
  EXPECT_EQ(t.child_calls, 6);
}

TEST_F(PathWalk, ChangesToTheTreeInvalidateCachedPrefixes) {
  fs::NodeId a = t.add_dir(usr_lib, "a");
  fs::NodeId f = t.add_file(a, "f");
  EXPECT_EQ(walk("/usr/lib/a/f"), f);
  t.remove(a); // "/usr/lib/a" is gone; a new one takes its name
  fs::NodeId a2 = t.add_dir(usr_lib, "a");
  fs::NodeId f2 = t.add_file(a2, "f");
  EXPECT_EQ(walk("/usr/lib/a/f"), f2);
  t.remove(a2);
  EXPECT_EQ(walk("/usr/lib/a/f"), -ENOENT);
}

TEST_F(PathWalk, PrefixesThroughSymlinksAreKeptUntilTheLinkChanges) {
  fs::NodeId a = t.add_dir(usr_lib, "a");
  fs::NodeId f = t.add_file(a, "f");
  EXPECT_EQ(walk("/lib/a/f"), f); // "/lib" is a symlink to usr/lib
  t.child_calls = 0;
  EXPECT_EQ(walk("/lib/a/f"), f);
  EXPECT_EQ(t.child_calls, 1);
  // "/lib" now points elsewhere: the cached "/lib/a" must not be used.
  fs::NodeId other = t.add_dir(0, "other");
  fs::NodeId other_f = t.add_file(t.add_dir(other, "a"), "f");
  t.remove(t.child(0, "lib", 3));
  t.add_link(0, "lib", "/other");
  EXPECT_EQ(walk("/lib/a/f"), other_f);
}

} // namespace
