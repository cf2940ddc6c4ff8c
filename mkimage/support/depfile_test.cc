#include "support/depfile.h"

#include <gtest/gtest.h>

using mkimage::Depfile;
using mkimage::escapeDepfilePath;

TEST(Depfile, EscapesSpecialCharacters) {
  EXPECT_EQ(escapeDepfilePath("/a b/c#d$e"), "/a\\ b/c\\#d$$e");
  EXPECT_EQ(escapeDepfilePath("plain/path.so"), "plain/path.so");
}

TEST(Depfile, RendersSortedUniqueDependencies) {
  Depfile d;
  d.add("/lib/b.so");
  d.add("/lib/a.so");
  d.add("/lib/b.so");
  EXPECT_EQ(d.render("out.img"), "out.img: \\\n  /lib/a.so \\\n  /lib/b.so\n");
}
