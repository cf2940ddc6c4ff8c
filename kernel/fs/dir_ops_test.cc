// The tree and the directory operations on the host: a tree built from a hand-made decoded
// root, the log calls recorded (and made to fail on demand), file data over a memory disk.
// Checks what each operation does to the tree and which records it asks for.
#include "fs/dir_ops.h"

#include "fs/chunk_check.h"
#include "fs/file_data.h"
#include "fs/metadata_log.h"
#include "fs/name_index.h"
#include "fs/volume.h"
#include "lib/kprintf.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <string.h>

#include <set>
#include <string>
#include <vector>

void* kmalloc(size_t n) { return malloc(n); }
void* kzalloc(size_t n) { return calloc(1, n); }
void kfree(void* p) { free(p); }
void* krealloc(void* p, size_t n) { return realloc(p, n); }
void kprintf(const char*, ...) {} // chunk_check.cc reports damaged data (not exercised here)
char* kstrndup(const void* bytes, size_t len) {
  auto* s = static_cast<char*>(malloc(len + 1));
  memcpy(s, bytes, len);
  s[len] = 0;
  return s;
}

namespace {
std::vector<std::string> g_log; // one line per record asked for
int g_fail_log = 0;             // errno the next log calls return (0: succeed)
uint32_t g_next_index = 100;    // dictionary numbers the fake log hands out
bool g_writable = true;
std::vector<uint8_t> g_disk(8192 * 512);
fs::FreeSpace g_space(realloc);
tfs::Volume g_volume;

Status record(const std::string& line) {
  if (g_fail_log)
    return Err(-g_fail_log);
  g_log.push_back(line);
  return status_ok();
}
std::string u(uint64_t v) { return std::to_string(v); }
} // namespace

namespace fs {
const tfs::Volume& volume() { return g_volume; }
bool writable() { return g_writable; }
FreeSpace& free_space() { return g_space; }
Status read_blocks(uint64_t block, uint64_t count, void* buf) {
  memcpy(buf, g_disk.data() + block * 512, count * 512);
  return status_ok();
}
Status write_blocks(uint64_t block, uint64_t count, const void* buf) {
  memcpy(g_disk.data() + block * 512, buf, count * 512);
  return status_ok();
}
namespace log {
void open() {}
ErrorOr<NewEntry> add_file(uint32_t children, const char* name) {
  Status s = record("file " + u(children) + " " + name);
  if (!s.ok())
    return Err(s.error());
  NewEntry e{g_next_index, g_next_index + 1};
  g_next_index += 2;
  return e;
}
ErrorOr<NewEntry> add_directory(uint32_t children, const char* name) {
  Status s = record("dir " + u(children) + " " + name);
  if (!s.ok())
    return Err(s.error());
  NewEntry e{g_next_index, g_next_index + 1};
  g_next_index += 2;
  return e;
}
ErrorOr<NewEntry> add_symlink(uint32_t children, const char* name, const char* target) {
  Status s = record("symlink " + u(children) + " " + name + " " + target);
  if (!s.ok())
    return Err(s.error());
  return NewEntry{g_next_index++, 0};
}
Status add_reference(uint32_t children, const char* name, uint32_t tuple) {
  return record("ref " + u(children) + " " + name + " " + u(tuple));
}
Status remove_entry(uint32_t children, const char* name) {
  return record("remove " + u(children) + " " + name);
}
Status move_entry(uint32_t children, const char* old_name, const char* new_name, uint32_t tuple) {
  return record("move " + u(children) + " " + old_name + " " + new_name + " " + u(tuple));
}
Status remove_extent(uint32_t extents, uint64_t file_block) {
  return record("remove-extent " + u(extents) + " " + u(file_block));
}
Status set_number(uint32_t tuple, const char* name, uint64_t value) {
  return record("set " + u(tuple) + " " + name + " " + u(value));
}
Status remove_attribute(uint32_t tuple, const char* name) {
  return record("unset " + u(tuple) + " " + name);
}
void mark_dirty(Inode*) {}
void forget(Inode*) {}
} // namespace log
} // namespace fs

namespace {

// A decoded root as the codec would give it: (children:(etc:(children:()))), numbers 1-5.
tfs::Value g_root, g_children, g_etc, g_etc_children;
tfs::Item g_root_items[1], g_children_items[1], g_etc_items[1];

class Tree : public ::testing::Test {
protected:
  void SetUp() override {
    g_log.clear();
    g_fail_log = 0;
    g_writable = true;
    ASSERT_TRUE(g_space.init(8192));
    ASSERT_TRUE(g_space.reserve(0, 1));
    g_volume.next_index = 6;
    g_etc_children = tfs::Value{tfs::Kind::kTuple, false, 0, nullptr, 0, nullptr, 0, 0, 5};
    g_etc_items[0] = tfs::Item{reinterpret_cast<const uint8_t*>("children"), 8, &g_etc_children};
    g_etc = tfs::Value{tfs::Kind::kTuple, false, 0, nullptr, 0, g_etc_items, 1, 1, 4};
    g_children_items[0] = tfs::Item{reinterpret_cast<const uint8_t*>("etc"), 3, &g_etc};
    g_children = tfs::Value{tfs::Kind::kTuple, false, 0, nullptr, 0, g_children_items, 1, 1, 3};
    g_root_items[0] = tfs::Item{reinterpret_cast<const uint8_t*>("children"), 8, &g_children};
    g_root = tfs::Value{tfs::Kind::kTuple, false, 0, nullptr, 0, g_root_items, 1, 1, 1};
    ASSERT_EQ(fs::build_tree(&g_root, "/prog"), 0);
    etc = fs::find_child(0, "etc");
    ASSERT_GE(etc, 0);
  }
  // The kernel builds its tree once and keeps it; each test builds a new one, so the names
  // and files of the last one are given back here (LeakSanitizer, asan preset).
  void TearDown() override {
    std::set<fs::Inode*> files;
    for (size_t i = 0; i < fs::node_count(); ++i) {
      fs::Node* n = fs::node(static_cast<fs::NodeId>(i));
      if (n->owns_name)
        free(const_cast<char*>(n->name));
      n->owns_name = false;
      if (n->inode)
        files.insert(n->inode);
      n->inode = nullptr;
    }
    for (fs::Inode* f : files) {
      free(f->extents);
      fs::drop_chunk_check(f);
      delete f;
    }
  }
  int32_t etc = -1;
};

TEST_F(Tree, SyntheticNodesAndTheImageDirectory) {
  EXPECT_EQ(fs::node(etc)->children_index, 5u);
  EXPECT_EQ(fs::node(0)->children_index, 3u);
  EXPECT_GE(fs::find_child(etc, "hostname"), 0); // synthesized: the image has none
  int32_t dev = fs::find_child(0, "dev");
  ASSERT_GE(dev, 0);
  EXPECT_GE(fs::find_child(dev, "tty"), 0);
  int32_t tmp = fs::find_child(0, "tmp");
  ASSERT_GE(tmp, 0);
  EXPECT_EQ(fs::node(tmp)->special, fs::Special::kScratch);
  EXPECT_EQ(fs::tree().child(0, "etcx", 3), etc); // a length-limited name
  EXPECT_EQ(fs::tree().child(0, "et", 2), -ENOENT);
}

TEST_F(Tree, CreateLogsFirstAndRefusesDuplicates) {
  long f = fs::create_file(etc, "conf");
  ASSERT_GE(f, 0);
  ASSERT_EQ(g_log.size(), 1u);
  EXPECT_EQ(g_log[0], "file 5 conf");
  EXPECT_EQ(fs::find_child(etc, "conf"), f);
  EXPECT_EQ(fs::node(f)->inode->tuple_index, 100u);
  EXPECT_EQ(fs::node(f)->inode->extents_index, 101u);
  EXPECT_EQ(fs::create_file(etc, "conf"), -EEXIST);
  EXPECT_EQ(fs::make_directory(etc, "conf"), -EEXIST);
  EXPECT_EQ(g_log.size(), 1u);
  // A full log changes nothing.
  g_fail_log = ENOSPC;
  EXPECT_EQ(fs::create_file(etc, "other"), -ENOSPC);
  EXPECT_EQ(fs::find_child(etc, "other"), -ENOENT);
  EXPECT_EQ(fs::make_directory(0, "d"), -ENOSPC);
  EXPECT_EQ(fs::find_child(0, "d"), -ENOENT);
  EXPECT_EQ(fs::create_file(etc, std::string(256, 'n').c_str()), -ENAMETOOLONG);
}

TEST_F(Tree, RemoveDirectoriesAndFiles) {
  long d = fs::make_directory(0, "d");
  ASSERT_GE(d, 0);
  uint32_t children = fs::node(d)->children_index;
  ASSERT_GE(fs::create_file(static_cast<int32_t>(d), "f"), 0);
  EXPECT_EQ(fs::remove_entry(0, "d", true), -ENOTEMPTY);
  EXPECT_EQ(fs::remove_entry(0, "d", false), -EISDIR);
  EXPECT_EQ(fs::remove_entry(static_cast<int32_t>(d), "f", true), -ENOTDIR);
  EXPECT_EQ(fs::remove_entry(static_cast<int32_t>(d), "nope", false), -ENOENT);
  g_log.clear();
  EXPECT_EQ(fs::remove_entry(static_cast<int32_t>(d), "f", false), 0);
  EXPECT_EQ(fs::remove_entry(0, "d", true), 0);
  ASSERT_EQ(g_log.size(), 2u);
  EXPECT_EQ(g_log[0], "remove " + u(children) + " f");
  EXPECT_EQ(g_log[1], "remove 3 d");
  EXPECT_EQ(fs::find_child(0, "d"), -ENOENT);
  EXPECT_TRUE(fs::node(d)->removed);
  EXPECT_EQ(fs::create_file(static_cast<int32_t>(d), "late"), -ENOENT); // in a removed dir
}

TEST_F(Tree, RenameInOneDirectoryAndAcross) {
  long a = fs::create_file(0, "a");
  long b = fs::create_file(0, "b");
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  uint32_t a_tuple = fs::node(a)->tuple_index;
  g_log.clear();
  EXPECT_EQ(fs::rename_entry(0, "a", 0, "b", true), -EEXIST);
  EXPECT_EQ(fs::rename_entry(0, "a", 0, "b", false), 0); // replaces b
  ASSERT_EQ(g_log.size(), 1u);
  EXPECT_EQ(g_log[0], "move 3 a b " + u(a_tuple));
  EXPECT_EQ(fs::find_child(0, "b"), a);
  EXPECT_EQ(fs::find_child(0, "a"), -ENOENT);
  EXPECT_TRUE(fs::node(b)->removed);
  g_log.clear();
  EXPECT_EQ(fs::rename_entry(0, "b", etc, "moved", false), 0);
  ASSERT_EQ(g_log.size(), 2u);
  EXPECT_EQ(g_log[0], "ref 5 moved " + u(a_tuple));
  EXPECT_EQ(g_log[1], "remove 3 b");
  EXPECT_EQ(fs::find_child(etc, "moved"), a);
  EXPECT_EQ(fs::node(a)->parent, etc);
  char path[64];
  EXPECT_GT(fs::node_path(a, path, sizeof path), 0);
  EXPECT_STREQ(path, "/etc/moved");
}

TEST_F(Tree, RenameRulesForDirectories) {
  long d = fs::make_directory(0, "d");
  long sub = fs::make_directory(static_cast<int32_t>(d), "sub");
  long f = fs::create_file(0, "f");
  ASSERT_GE(sub, 0);
  ASSERT_GE(f, 0);
  g_log.clear();
  EXPECT_EQ(fs::rename_entry(0, "d", static_cast<int32_t>(sub), "x", false), -EINVAL);
  EXPECT_EQ(fs::rename_entry(0, "d", 0, "f", false), -ENOTDIR);
  EXPECT_EQ(fs::rename_entry(0, "f", 0, "d", false), -EISDIR);
  ASSERT_GE(fs::make_directory(0, "full"), 0);
  ASSERT_GE(fs::create_file(fs::find_child(0, "full"), "x"), 0);
  g_log.clear();
  EXPECT_EQ(fs::rename_entry(static_cast<int32_t>(d), "sub", 0, "full", false), -ENOTEMPTY);
  EXPECT_EQ(fs::rename_entry(0, "f", 0, "f", false), 0); // itself: nothing
  EXPECT_TRUE(g_log.empty());
}

TEST_F(Tree, HardLinksCountNamesAndKeepNlink) {
  long f = fs::create_file(0, "f");
  ASSERT_GE(f, 0);
  fs::Inode* ino = fs::node(f)->inode;
  g_log.clear();
  EXPECT_EQ(fs::make_hard_link(etc, "g", static_cast<int32_t>(f)), 0);
  EXPECT_EQ(ino->links, 2);
  ASSERT_EQ(g_log.size(), 2u);
  EXPECT_EQ(g_log[0], "ref 5 g " + u(ino->tuple_index));
  EXPECT_EQ(g_log[1], "set " + u(ino->tuple_index) + " nlink 2");
  EXPECT_EQ(fs::node(fs::find_child(etc, "g"))->inode, ino);
  EXPECT_EQ(fs::make_hard_link(0, "dirlink", etc), -EPERM);
  g_log.clear();
  EXPECT_EQ(fs::remove_entry(0, "f", false), 0);
  EXPECT_EQ(ino->links, 1);
  ASSERT_EQ(g_log.size(), 2u);
  EXPECT_EQ(g_log[1], "set " + u(ino->tuple_index) + " nlink 1");
}

TEST_F(Tree, UnlinkedOpenFileKeepsItsBlocksUntilClosed) {
  long f = fs::create_file(0, "f");
  fs::Inode* ino = fs::node(f)->inode;
  std::string data(5000, 'x');
  ASSERT_TRUE(fs::write_file(ino, 0, data.data(), data.size()).ok());
  uint64_t free_with_file = g_space.free_blocks();
  fs::file_opened(ino);
  EXPECT_EQ(fs::remove_entry(0, "f", false), 0);
  EXPECT_EQ(g_space.free_blocks(), free_with_file); // still open
  char buf[5000];
  auto r = fs::read_file(ino, 0, buf, sizeof buf);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 5000u);
  fs::file_closed(ino);
  EXPECT_EQ(g_space.free_blocks(), 8191u);
}

TEST_F(Tree, KernelNodesStayAndScratchIsNotLogged) {
  int32_t dev = fs::find_child(0, "dev");
  EXPECT_EQ(fs::remove_entry(dev, "null", false), -EACCES);
  EXPECT_EQ(fs::create_file(dev, "new"), -EACCES);
  EXPECT_EQ(fs::remove_entry(etc, "hostname", false), -EACCES);
  EXPECT_EQ(fs::rename_entry(0, "proc", 0, "p", false), -EACCES);
  EXPECT_EQ(fs::remove_entry(0, "tmp", true), -EACCES);
  int32_t tmp = fs::find_child(0, "tmp");
  g_log.clear();
  long t = fs::create_file(tmp, "scratch");
  ASSERT_GE(t, 0);
  long sd = fs::make_directory(tmp, "sd");
  ASSERT_GE(sd, 0);
  EXPECT_EQ(fs::node(sd)->special, fs::Special::kScratch);
  EXPECT_EQ(fs::rename_entry(tmp, "scratch", static_cast<int32_t>(sd), "s2", false), 0);
  EXPECT_EQ(fs::rename_entry(static_cast<int32_t>(sd), "s2", 0, "out", false), -EXDEV);
  EXPECT_EQ(fs::remove_entry(static_cast<int32_t>(sd), "s2", false), 0);
  EXPECT_TRUE(g_log.empty());
}

TEST_F(Tree, ReadOnlyVolume) {
  g_writable = false;
  EXPECT_EQ(fs::create_file(0, "x"), -EROFS);
  EXPECT_EQ(fs::make_directory(0, "x"), -EROFS);
  EXPECT_EQ(fs::make_symlink(0, "x", "/y"), -EROFS);
  EXPECT_EQ(fs::remove_entry(0, "etc", true), -EROFS);
  EXPECT_EQ(fs::rename_entry(0, "etc", 0, "x", false), -EROFS);
  EXPECT_EQ(fs::create_file(fs::find_child(0, "tmp"), "x"), -EROFS);
  EXPECT_TRUE(g_log.empty());
}

TEST_F(Tree, ManyNamesInOneDirectory) {
  for (int i = 0; i < 3000; ++i)
    ASSERT_GE(fs::create_file(etc, ("n" + std::to_string(i)).c_str()), 0) << i;
  for (int i = 0; i < 3000; i += 3)
    ASSERT_EQ(fs::remove_entry(etc, ("n" + std::to_string(i)).c_str(), false), 0);
  EXPECT_TRUE(fs::name_index::enabled());
  int found = 0, children = 0;
  for (int i = 0; i < 3000; ++i)
    found += fs::find_child(etc, ("n" + std::to_string(i)).c_str()) >= 0;
  for (int32_t c = fs::node(etc)->first_child; c >= 0; c = fs::node(c)->next_sibling)
    ++children;
  EXPECT_EQ(found, 2000);
  EXPECT_EQ(children, 2000 + 1); // and the synthesized hostname
}

} // namespace
