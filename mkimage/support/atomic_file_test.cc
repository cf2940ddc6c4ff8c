#include "support/atomic_file.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace {

std::string makeTempDir() {
  char templ[] = "/tmp/atomic_file_test.XXXXXX";
  return ::mkdtemp(templ);
}

int countEntries(const std::string& dir) {
  int n = 0;
  DIR* d = ::opendir(dir.c_str());
  while (dirent* e = ::readdir(d))
    n += std::string(e->d_name) != "." && std::string(e->d_name) != "..";
  ::closedir(d);
  return n;
}

TEST(AtomicFile, CommitRenamesIntoPlace) {
  std::string dir = makeTempDir();
  std::string path = dir + "/out.bin";
  ASSERT_FALSE(bool(mkimage::writeFileAtomically(path, "hello")));
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "hello");
  EXPECT_EQ(countEntries(dir), 1);
}

TEST(AtomicFile, AbandonedFileLeavesNothing) {
  std::string dir = makeTempDir();
  {
    auto f = mkimage::AtomicFile::create(dir + "/out.bin");
    ASSERT_TRUE(bool(f));
    ASSERT_FALSE(bool(f->writeAt(100, "x")));
  }
  EXPECT_EQ(countEntries(dir), 0);
}

TEST(AtomicFile, UnwritableDirectoryIsAnErrorNamingThePath) {
  auto f = mkimage::AtomicFile::create("/nonexistent-dir-xyz/out.bin");
  ASSERT_FALSE(bool(f));
  std::string msg = llvm::toString(f.takeError());
  EXPECT_NE(msg.find("/nonexistent-dir-xyz/out.bin"), std::string::npos) << msg;
}

}  // namespace
