#include "unix/socket/afunix/socket_names.h"

#include <cerrno>
#include <cstring>
#include <gtest/gtest.h>

namespace {

unix::SocketName path(int64_t dir, const char* name) {
  unix::SocketName n;
  n.dir = dir;
  n.len = static_cast<uint32_t>(std::strlen(name));
  std::memcpy(n.bytes, name, n.len);
  return n;
}

unix::SocketName abstract(int type, const char* name, uint32_t len) {
  unix::SocketName n;
  n.type = type;
  n.len = len;
  std::memcpy(n.bytes, name, len);
  return n;
}

TEST(SocketNames, PathNamesAreDirectoryAndEntry) {
  unix::SocketNames t;
  int a, b;
  EXPECT_EQ(t.add(path(3, "s"), &a), 0);
  EXPECT_EQ(t.add(path(3, "s"), &b), -EADDRINUSE);
  EXPECT_EQ(t.add(path(4, "s"), &b), 0); // the same entry name in another directory
  EXPECT_EQ(t.find(path(3, "s")), &a);
  EXPECT_EQ(t.find(path(4, "s")), &b);
  EXPECT_EQ(t.find(path(3, "s2")), nullptr);
  EXPECT_EQ(t.find(path(3, "")), nullptr);
}

TEST(SocketNames, AbstractNamesAreBytesPerType) {
  unix::SocketNames t;
  int a, b, c;
  EXPECT_EQ(t.add(abstract(1, "x\0y", 3), &a), 0);
  EXPECT_EQ(t.find(abstract(1, "x\0y", 3)), &a);
  EXPECT_EQ(t.find(abstract(1, "x", 1)), nullptr); // embedded NULs count
  EXPECT_EQ(t.add(abstract(1, "x\0y", 3), &b), -EADDRINUSE);
  EXPECT_EQ(t.add(abstract(5, "x\0y", 3), &b), 0); // another type may take it
  EXPECT_EQ(t.find(abstract(5, "x\0y", 3)), &b);
  EXPECT_EQ(t.find(path(-1, "x")), nullptr);
  EXPECT_EQ(t.add(path(0, "x"), &c), 0); // a path "x" is not an abstract "x"
}

TEST(SocketNames, RemoveFreesTheNameAndFullTablesRefuse) {
  unix::SocketNames t;
  int owners[unix::SocketNames::kCapacity + 1];
  char name[8];
  for (int i = 0; i < unix::SocketNames::kCapacity; ++i) {
    std::snprintf(name, sizeof name, "s%d", i);
    ASSERT_EQ(t.add(path(0, name), &owners[i]), 0);
  }
  EXPECT_EQ(t.add(path(0, "more"), &owners[unix::SocketNames::kCapacity]), -ENOBUFS);
  t.remove(&owners[7]);
  EXPECT_EQ(t.find(path(0, "s7")), nullptr);
  EXPECT_EQ(t.add(path(0, "more"), &owners[unix::SocketNames::kCapacity]), 0);
  EXPECT_EQ(t.find(path(0, "more")), &owners[unix::SocketNames::kCapacity]);
}

} // namespace
