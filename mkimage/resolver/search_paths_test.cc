#include "resolver/search_paths.h"

#include "llvm/Support/MemoryBuffer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mkimage {
namespace {

DstContext context() {
  DstContext c;
  c.originGuest = "/opt/app/bin";
  c.lib = "lib/x86_64-linux-gnu";
  c.platform = "haswell";
  return c;
}

std::string guestOf(llvm::StringRef element, const DstContext& c = context()) {
  auto e = expandTokens(element, c);
  return e ? e->guest : "<dropped>";
}

TEST(ExpandTokens, SubstitutesKnownTokensOnly) {
  EXPECT_EQ(guestOf("$ORIGIN/../lib"), "/opt/app/bin/../lib");
  EXPECT_EQ(guestOf("${ORIGIN}/x"), "/opt/app/bin/x");
  EXPECT_EQ(guestOf("/usr/$LIB/$PLATFORM"), "/usr/lib/x86_64-linux-gnu/haswell");
  EXPECT_EQ(guestOf("/a/${LIB}"), "/a/lib/x86_64-linux-gnu");
  // Not tokens: kept literally, as ld.so does.
  EXPECT_EQ(guestOf("$ORIGINAL/x"), "$ORIGINAL/x");
  EXPECT_EQ(guestOf("/x/$FOO"), "/x/$FOO");
  EXPECT_EQ(guestOf("${ORIGIN"), "${ORIGIN");
}

TEST(ExpandTokens, UnknownValuesDropTheElement) {
  DstContext c = context();
  c.platform.clear();
  EXPECT_EQ(guestOf("/p/$PLATFORM", c), "<dropped>");
  c = context();
  c.originGuest.clear();
  EXPECT_EQ(guestOf("$ORIGIN/lib", c), "<dropped>");
}

TEST(ExpandTokens, HostMappedOriginGivesAHostPath) {
  DstContext c = context();
  c.originHost = "/home/me/build/bin";
  auto e = expandTokens("$ORIGIN/../lib", c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->guest, "/opt/app/bin/../lib");
  EXPECT_EQ(e->host, "/home/me/build/bin/../lib");
  // Only paths that start with $ORIGIN live in the host directory.
  e = expandTokens("/usr/lib", c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "");
}

TEST(SplitSearchPath, PreparesDirectoriesLikeFillinRpath) {
  auto dirs = splitSearchPath("/a//::b/:/", ":", context());
  std::vector<std::string> guests;
  for (const ExpandedPath& d : dirs)
    guests.push_back(d.guest);
  EXPECT_THAT(guests, testing::ElementsAre("/a/", "./", "b/", "/"));
  // LD_LIBRARY_PATH also splits at ';'.
  EXPECT_EQ(splitSearchPath("/x;/y", ":;", context()).size(), 2u);
  EXPECT_EQ(splitSearchPath("/x;/y", ":", context()).size(), 1u);
}

TEST(HwcapSubdirectories, MatchesGlibc236Order) {
  ResolveOptions::Cpu cpu;
  cpu.glibcHwcaps = {"x86-64-v3", "x86-64-v2"};
  cpu.legacyHwcaps = {"x86_64", "avx512_1"};
  cpu.platform = "haswell";
  auto dirs = hwcapSubdirectories(cpu);
  ASSERT_EQ(dirs.size(), 2u + 16u);
  EXPECT_THAT(std::vector<std::string>(dirs.begin(), dirs.begin() + 8),
              testing::ElementsAre("glibc-hwcaps/x86-64-v3/", "glibc-hwcaps/x86-64-v2/",
                                   "tls/haswell/avx512_1/x86_64/", "tls/haswell/avx512_1/",
                                   "tls/haswell/x86_64/", "tls/haswell/", "tls/avx512_1/x86_64/",
                                   "tls/avx512_1/"));
  EXPECT_EQ(dirs[10], "haswell/avx512_1/x86_64/");
  EXPECT_EQ(dirs.back(), "");

  ResolveOptions::Cpu baseline; // defaults: x86_64 hwcap, AT_PLATFORM x86_64
  EXPECT_THAT(hwcapSubdirectories(baseline),
              testing::ElementsAre("tls/x86_64/x86_64/", "tls/x86_64/", "tls/x86_64/", "tls/",
                                   "x86_64/x86_64/", "x86_64/", "x86_64/", ""));
}

TEST(TargetDefaults, FoundInTheInterpreter) {
  auto ldso = llvm::MemoryBuffer::getFile("/lib64/ld-linux-x86-64.so.2", false, false);
  if (!ldso)
    GTEST_SKIP() << "no host loader";
  TargetDefaults d = detectTargetDefaults((*ldso)->getBuffer());
  EXPECT_THAT(d.systemDirs,
              testing::ElementsAre("/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib/",
                                   "/usr/lib/"));
  EXPECT_EQ(d.lib, "lib/x86_64-linux-gnu");
  static const char lib64[] = "junk\0/lib64/\0/usr/lib64/\0more";
  d = detectTargetDefaults(llvm::StringRef(lib64, sizeof lib64 - 1));
  EXPECT_THAT(d.systemDirs, testing::ElementsAre("/lib64/", "/usr/lib64/"));
  EXPECT_EQ(d.lib, "lib64");
}

} // namespace
} // namespace mkimage
