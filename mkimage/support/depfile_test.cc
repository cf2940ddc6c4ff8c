#include "support/depfile.h"

#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <unistd.h>

using mkimage::Depfile;
using mkimage::escapeDepfilePath;

TEST(Depfile, EscapesSpecialCharacters) {
  EXPECT_EQ(escapeDepfilePath("/a b/c#d$e"), "/a\\ b/c\\#d$$e");
  EXPECT_EQ(escapeDepfilePath("plain/path.so"), "plain/path.so");
}

namespace {
// A scratch directory with files a.so and b.so and a dangling link `broken`.
struct Scratch {
  llvm::SmallString<128> dir;
  Scratch() {
    EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("depfile-test", dir));
    std::ofstream(std::string(dir) + "/a.so") << "a";
    std::ofstream(std::string(dir) + "/b.so") << "b";
    EXPECT_EQ(::symlink("/nonexistent/target", (std::string(dir) + "/broken").c_str()), 0);
  }
  ~Scratch() { llvm::sys::fs::remove_directories(dir); }
  std::string path(const char* name) const { return std::string(dir) + "/" + name; }
};
} // namespace

TEST(Depfile, RendersSortedUniqueDependencies) {
  Scratch s;
  Depfile d;
  d.add(s.path("b.so"));
  d.add(s.path("a.so"));
  d.add(s.path("b.so"));
  EXPECT_EQ(d.render("out.img"),
            "out.img: \\\n  " + s.path("a.so") + " \\\n  " + s.path("b.so") + "\n");
}

// Ninja would treat a dependency it cannot stat as always out of date (and Make as an error).
TEST(Depfile, LeavesOutPathsThatDoNotResolve) {
  Scratch s;
  Depfile d;
  d.add(s.dir);
  d.add(s.path("broken"));
  EXPECT_EQ(d.render("out.img"), "out.img: \\\n  " + std::string(s.dir) + "\n");
}
