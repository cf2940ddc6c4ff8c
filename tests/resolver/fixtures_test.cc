// Exact resolutions on small ELF fixtures built at test time: RPATH (and its inheritance),
// RUNPATH, $ORIGIN, $PLATFORM/$LIB, hwcap subdirectories, the same SONAME in two
// directories, a wrong-class candidate, a missing library, a cycle, and a sysroot with
// absolute symlinks.
#include "resolver/error_text.h"
#include "resolver/resolver.h"
#include "test_support.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <filesystem>
#include <fstream>

using namespace resolver_test;
using mkimage::Closure;
using mkimage::ResolvedEntry;
using mkimage::ResolveOptions;
using testing::ElementsAre;
using testing::HasSubstr;

namespace {

constexpr const char* kInterp = "/lib64/ld-linux-x86-64.so.2";

// The opened paths of the objects, in load order, minus the interpreter and libc.
std::vector<std::string> fixtureObjects(const Closure& c) {
  std::vector<std::string> out;
  for (const mkimage::LoadedObject& o : c.objects)
    if (o.openedPath != kInterp && o.name != "libc.so.6")
      out.push_back(o.openedPath);
  return out;
}

const mkimage::LoadedObject* objectNamed(const Closure& c, const std::string& name) {
  for (const mkimage::LoadedObject& o : c.objects)
    if (o.name == name)
      return &o;
  return nullptr;
}

std::string neededBy(const Closure& c, const std::string& name) {
  const mkimage::LoadedObject* o = objectNamed(c, name);
  return o ? o->neededBy : "<" + name + " not loaded>";
}

std::string guestPathOf(const Closure& c, const std::string& name) {
  const mkimage::LoadedObject* o = objectNamed(c, name);
  return o ? o->guestPath : "<" + name + " not loaded>";
}

std::string openedPathOf(const Closure& c, const std::string& name) {
  const mkimage::LoadedObject* o = objectNamed(c, name);
  return o ? o->openedPath : "<" + name + " not loaded>";
}

ResolveOptions hostOptions(const std::string& programPath) {
  ResolveOptions o;
  o.programGuestPath = programPath; // the program sits where it is: no host mapping
  o.nss = ResolveOptions::Nss::Off;
  o.libcDlopens = false; // start-up objects only, as ld.so --list shows them
  return o;
}

std::string errorOf(llvm::Expected<Closure> c) {
  if (c)
    return "(no error)";
  return mkimage::errorText(c.takeError());
}

// A 64-byte file that is an ELF header of a 32-bit x86 shared object: ld.so reads the
// header, sees ELFCLASS32 and skips it.
std::string elf32Header() {
  std::string h(64, '\0');
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 1 /*ELFCLASS32*/, 1 /*LSB*/, 1};
  for (size_t i = 0; i < sizeof ident; ++i)
    h[i] = char(ident[i]);
  h[16] = 3;  // e_type ET_DYN
  h[18] = 3;  // e_machine EM_386
  h[20] = 1;  // e_version
  h[40] = 52; // e_ehsize
  h[42] = 32; // e_phentsize
  return h;
}

TEST(ResolverFixtures, RpathIsSearchedForTheObjectAndInheritedByItsDependencies) {
  ScratchDir t;
  ASSERT_EQ(sharedLibrary(t / "deep/libdeep.so", "libdeep.so", "deep", {}), "");
  ASSERT_EQ(sharedLibrary(t / "rp/liba.so", "liba.so", "a", {t / "deep/libdeep.so"}), "");
  // liba has no RPATH of its own: libdeep is found through the program's DT_RPATH.
  std::string app = t / "bin/app";
  ASSERT_EQ(
      program(app, {"a"}, {t / "rp/liba.so"},
              {"-Wl,--disable-new-dtags", "-Wl,-rpath," + t.path() + "/rp:" + t.path() + "/deep"}),
      "");
  auto closure = mkimage::resolveClosure(app, hostOptions(app));
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  EXPECT_THAT(fixtureObjects(*closure), ElementsAre(t / "rp/liba.so", t / "deep/libdeep.so"));
  EXPECT_EQ(neededBy(*closure, "libdeep.so"), t / "rp/liba.so");
  EXPECT_EQ(neededBy(*closure, "liba.so"), "");
}

TEST(ResolverFixtures, RunpathServesOnlyTheObjectsOwnNeeds) {
  ScratchDir t;
  ASSERT_EQ(sharedLibrary(t / "deep/libdeep.so", "libdeep.so", "deep", {}), "");
  ASSERT_EQ(sharedLibrary(t / "rp/liba.so", "liba.so", "a", {t / "deep/libdeep.so"}), "");
  std::string app = t / "bin/app";
  ASSERT_EQ(
      program(app, {"a"}, {t / "rp/liba.so"},
              {"-Wl,--enable-new-dtags", "-Wl,-rpath," + t.path() + "/rp:" + t.path() + "/deep"}),
      "");
  // The program's DT_RUNPATH finds liba, but not liba's libdeep: ld.so fails the same way.
  std::string error = errorOf(mkimage::resolveClosure(app, hostOptions(app)));
  EXPECT_THAT(error, HasSubstr("cannot find libdeep.so"));
  EXPECT_THAT(error, HasSubstr("needed by " + t / "rp/liba.so" + " <- " + app));
  EXPECT_THAT(error, HasSubstr("/etc/ld.so.cache"));
  EXPECT_THAT(error, HasSubstr("/usr/lib/x86_64-linux-gnu/ (default)"));
  EXPECT_THAT(error, testing::Not(HasSubstr(t / "deep")));
  // The system loader agrees.
  CommandResult ldso = run({kInterp, "--list", app});
  EXPECT_THAT(ldso.out + ldso.err, HasSubstr("libdeep.so: cannot open shared object file"));

  // With DT_RUNPATH in liba itself, libdeep is found there.
  ASSERT_EQ(sharedLibrary(t / "rp/liba.so", "liba.so", "a", {t / "deep/libdeep.so"},
                          {"-Wl,--enable-new-dtags", "-Wl,-rpath," + t.path() + "/deep"}),
            "");
  auto closure = mkimage::resolveClosure(app, hostOptions(app));
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  EXPECT_THAT(fixtureObjects(*closure), ElementsAre(t / "rp/liba.so", t / "deep/libdeep.so"));
}

TEST(ResolverFixtures, LdLibraryPathComesAfterRpathAndBeforeRunpath) {
  ScratchDir t;
  ASSERT_EQ(sharedLibrary(t / "env/libx.so", "libx.so", "x", {}), "");
  ASSERT_EQ(sharedLibrary(t / "tag/libx.so", "libx.so", "x", {}), "");
  std::string runpathApp = t / "runpath-app", rpathApp = t / "rpath-app";
  ASSERT_EQ(program(runpathApp, {"x"}, {t / "tag/libx.so"},
                    {"-Wl,--enable-new-dtags", "-Wl,-rpath," + t.path() + "/tag"}),
            "");
  ASSERT_EQ(program(rpathApp, {"x"}, {t / "tag/libx.so"},
                    {"-Wl,--disable-new-dtags", "-Wl,-rpath," + t.path() + "/tag"}),
            "");
  for (const std::string& app : {runpathApp, rpathApp}) {
    SCOPED_TRACE(app);
    ResolveOptions o = hostOptions(app);
    o.ldLibraryPath = {t / "env"};
    auto closure = mkimage::resolveClosure(app, o);
    ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
    EXPECT_THAT(fixtureObjects(*closure),
                ElementsAre(app == runpathApp ? t / "env/libx.so" : t / "tag/libx.so"));
    o.ldLibraryPath.clear();
    closure = mkimage::resolveClosure(app, o);
    ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
    EXPECT_THAT(fixtureObjects(*closure), ElementsAre(t / "tag/libx.so"));
  }
  // The host loader agrees (its LD_LIBRARY_PATH set for the child only).
  CommandResult ldso = run({"env", "LD_LIBRARY_PATH=" + t / "env", kInterp, "--list", runpathApp});
  EXPECT_THAT(ldso.out, HasSubstr("libx.so => " + t / "env/libx.so"));
  ldso = run({"env", "LD_LIBRARY_PATH=" + t / "env", kInterp, "--list", rpathApp});
  EXPECT_THAT(ldso.out, HasSubstr("libx.so => " + t / "tag/libx.so"));
}

TEST(ResolverFixtures, OriginIsTheObjectsDirectoryAsOpened) {
  ScratchDir t;
  ASSERT_EQ(sharedLibrary(t / "lib/libo.so", "libo.so", "o", {}), "");
  ASSERT_EQ(sharedLibrary(t / "lib/plugins/libp.so", "libp.so", "p", {}), "");
  // libo finds libp through ${ORIGIN}; the program finds libo through $ORIGIN.
  ASSERT_EQ(sharedLibrary(t / "lib/libo.so", "libo.so", "o", {t / "lib/plugins/libp.so"},
                          {"-Wl,--disable-new-dtags", "-Wl,-rpath,${ORIGIN}/plugins"}),
            "");
  std::string app = t / "bin/app";
  ASSERT_EQ(program(app, {"o"}, {t / "lib/libo.so"},
                    {"-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN/../lib"}),
            "");
  auto closure = mkimage::resolveClosure(app, hostOptions(app));
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  EXPECT_THAT(fixtureObjects(*closure),
              ElementsAre(t / "bin/../lib/libo.so", t / "bin/../lib/plugins/libp.so"));
  EXPECT_EQ(guestPathOf(*closure, "libo.so"), t / "lib/libo.so");
  CommandResult ldso = run({kInterp, "--list", app});
  EXPECT_THAT(ldso.out, HasSubstr("libo.so => " + t / "bin/../lib/libo.so"));
  EXPECT_THAT(ldso.out, HasSubstr("libp.so => " + t / "bin/../lib/plugins/libp.so"));

  // Placed elsewhere in the image, $ORIGIN is the guest directory, read from the host's.
  ResolveOptions placed = hostOptions(app);
  placed.programGuestPath = "/opt/app/bin/app";
  closure = mkimage::resolveClosure(app, placed);
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  const mkimage::LoadedObject* libo = objectNamed(*closure, "libo.so");
  ASSERT_NE(libo, nullptr);
  EXPECT_EQ(libo->openedPath, "/opt/app/bin/../lib/libo.so");
  EXPECT_EQ(libo->guestPath, "/opt/app/lib/libo.so");
  EXPECT_EQ(libo->hostPath, t / "bin/../lib/libo.so");
  const mkimage::LoadedObject* libp = objectNamed(*closure, "libp.so");
  ASSERT_NE(libp, nullptr);
  EXPECT_EQ(libp->guestPath, "/opt/app/lib/plugins/libp.so");
  EXPECT_EQ(libp->hostPath, t / "bin/../lib/plugins/libp.so");
}

TEST(ResolverFixtures, PlatformLibAndHwcapSubdirectories) {
  ScratchDir t;
  ASSERT_EQ(sharedLibrary(t / "plat/myplat/libq.so", "libq.so", "q", {}), "");
  ASSERT_EQ(sharedLibrary(t / "hw/libh.so", "libh.so", "h", {}), "");
  ASSERT_EQ(sharedLibrary(t / "hw/glibc-hwcaps/x86-64-v2/libh.so", "libh.so", "h", {}), "");
  ASSERT_EQ(sharedLibrary(t / "hw/tls/libt.so", "libt.so", "t", {}), "");
  std::string app = t / "app";
  ASSERT_EQ(program(app, {"q", "h", "t"},
                    {t / "plat/myplat/libq.so", t / "hw/libh.so", t / "hw/tls/libt.so"},
                    {"-Wl,--disable-new-dtags",
                     "-Wl,-rpath," + t.path() + "/plat/$PLATFORM:" + t.path() + "/hw"}),
            "");
  ResolveOptions o = hostOptions(app);
  o.cpu.platform = "myplat";
  o.cpu.glibcHwcaps = {"x86-64-v2"};
  auto closure = mkimage::resolveClosure(app, o);
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  EXPECT_THAT(fixtureObjects(*closure),
              ElementsAre(t / "plat/myplat/libq.so", t / "hw/glibc-hwcaps/x86-64-v2/libh.so",
                          t / "hw/tls/libt.so"));
  // A baseline CPU takes the plain copy; an unknown platform drops the $PLATFORM element.
  o.cpu.glibcHwcaps.clear();
  o.cpu.platform = "";
  std::string error = errorOf(mkimage::resolveClosure(app, o));
  EXPECT_THAT(error, HasSubstr("cannot find libq.so"));
  o.cpu.platform = "myplat";
  closure = mkimage::resolveClosure(app, o);
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  EXPECT_EQ(openedPathOf(*closure, "libh.so"), t / "hw/libh.so");
}

TEST(ResolverFixtures, SameSonameInTwoDirectoriesFirstOneWinsAndIsLoadedOnce) {
  ScratchDir t;
  ASSERT_EQ(sharedLibrary(t / "d1/libsame.so.1", "libsame.so.1", "same", {}), "");
  ASSERT_EQ(sharedLibrary(t / "d2/libsame.so.1", "libsame.so.1", "same", {}), "");
  // libuser (in d2) also needs libsame.so.1 and has RPATH d2: the already loaded d1 copy
  // answers to the soname, so d2's copy is never opened.
  ASSERT_EQ(sharedLibrary(t / "d2/libuser.so", "libuser.so", "user", {t / "d2/libsame.so.1"},
                          {"-Wl,--disable-new-dtags", "-Wl,-rpath," + t.path() + "/d2"}),
            "");
  std::string app = t / "app";
  ASSERT_EQ(
      program(app, {"same", "user"}, {t / "d1/libsame.so.1", t / "d2/libuser.so"},
              {"-Wl,--disable-new-dtags", "-Wl,-rpath," + t.path() + "/d1:" + t.path() + "/d2"}),
      "");
  auto closure = mkimage::resolveClosure(app, hostOptions(app));
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  EXPECT_THAT(fixtureObjects(*closure), ElementsAre(t / "d1/libsame.so.1", t / "d2/libuser.so"));
  CommandResult ldso = run({kInterp, "--list", app});
  EXPECT_THAT(ldso.out, HasSubstr("libsame.so.1 => " + t / "d1/libsame.so.1"));
}

// A 64-byte ELF64 header of an AArch64 shared object: ld.so skips other machines too.
std::string aarch64Header() {
  std::string h(64, '\0');
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2 /*ELFCLASS64*/, 1 /*LSB*/, 1};
  for (size_t i = 0; i < sizeof ident; ++i)
    h[i] = char(ident[i]);
  h[16] = 3;         // e_type ET_DYN
  h[18] = char(183); // e_machine EM_AARCH64
  h[20] = 1;         // e_version
  h[52] = 64;        // e_ehsize
  h[54] = 56;        // e_phentsize
  return h;
}

TEST(ResolverFixtures, WrongClassCandidateIsSkipped) {
  ScratchDir t;
  writeFile(t / "w32/libw.so", elf32Header());
  writeFile(t / "arm/libw.so", aarch64Header());
  ASSERT_EQ(sharedLibrary(t / "w64/libw.so", "libw.so", "w", {}), "");
  std::string app = t / "app";
  std::string rpath = t / "w32:" + t / "arm:" + t / "w64";
  ASSERT_EQ(
      program(app, {"w"}, {t / "w64/libw.so"}, {"-Wl,--disable-new-dtags", "-Wl,-rpath," + rpath}),
      "");
  auto closure = mkimage::resolveClosure(app, hostOptions(app));
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  EXPECT_THAT(fixtureObjects(*closure), ElementsAre(t / "w64/libw.so"));
  CommandResult ldso = run({kInterp, "--list", app});
  EXPECT_THAT(ldso.out, HasSubstr("libw.so => " + t / "w64/libw.so"));

  // Only the 32-bit one: not found, and the error says what was skipped.
  std::filesystem::remove(t / "w64/libw.so");
  std::string error = errorOf(mkimage::resolveClosure(app, hostOptions(app)));
  EXPECT_THAT(error, HasSubstr("cannot find libw.so"));
  EXPECT_THAT(error, HasSubstr(t / "w32/libw.so (wrong ELF class)"));
  EXPECT_THAT(error, HasSubstr(t / "arm/libw.so (wrong machine)"));
}

TEST(ResolverFixtures, MissingLibraryNamesLibraryChainAndDirectories) {
  ScratchDir t;
  ASSERT_EQ(sharedLibrary(t / "gone/libgone.so.3", "libgone.so.3", "gone", {}), "");
  ASSERT_EQ(sharedLibrary(t / "lib/libmid.so", "libmid.so", "mid", {t / "gone/libgone.so.3"}), "");
  std::string app = t / "app";
  ASSERT_EQ(program(app, {"mid"}, {t / "lib/libmid.so"},
                    {"-Wl,--disable-new-dtags", "-Wl,-rpath," + t.path() + "/lib"}),
            "");
  std::filesystem::remove(t / "gone/libgone.so.3");
  ResolveOptions o = hostOptions(app);
  o.ldLibraryPath = {t / "env"};
  std::string error = errorOf(mkimage::resolveClosure(app, o));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_THAT(error, HasSubstr("cannot find libgone.so.3 (needed by " + t / "lib/libmid.so" +
                               " <- " + app + ")"));
  EXPECT_THAT(error, HasSubstr(t / "lib/ (RPATH of " + app + ")"));
  EXPECT_THAT(error, HasSubstr(t / "env/ (LD_LIBRARY_PATH)"));
  EXPECT_THAT(error, HasSubstr("/etc/ld.so.cache"));
  EXPECT_THAT(error, HasSubstr("/lib/x86_64-linux-gnu/ (default)"));
}

TEST(ResolverFixtures, DependencyCycleAndDiamondLoadEachObjectOnce) {
  ScratchDir t;
  std::vector<std::string> rpath = {"-Wl,--disable-new-dtags", "-Wl,-rpath," + t.path() + "/lib"};
  // A cycle: libc1 <-> libc2 (libc2 is relinked once libc1 exists).
  ASSERT_EQ(sharedLibrary(t / "lib/libcyc2.so", "libcyc2.so", "cyc2", {}), "");
  ASSERT_EQ(
      sharedLibrary(t / "lib/libcyc1.so", "libcyc1.so", "cyc1", {t / "lib/libcyc2.so"}, rpath), "");
  ASSERT_EQ(
      sharedLibrary(t / "lib/libcyc2.so", "libcyc2.so", "cyc2", {t / "lib/libcyc1.so"}, rpath), "");
  // A diamond: app -> left, right -> bottom.
  ASSERT_EQ(sharedLibrary(t / "lib/libbottom.so", "libbottom.so", "bottom", {}), "");
  ASSERT_EQ(
      sharedLibrary(t / "lib/libleft.so", "libleft.so", "left", {t / "lib/libbottom.so"}, rpath),
      "");
  ASSERT_EQ(
      sharedLibrary(t / "lib/libright.so", "libright.so", "right", {t / "lib/libbottom.so"}, rpath),
      "");
  std::string app = t / "app";
  ASSERT_EQ(program(app, {"cyc1", "left", "right"},
                    {t / "lib/libcyc1.so", t / "lib/libleft.so", t / "lib/libright.so"}, rpath),
            "");
  auto closure = mkimage::resolveClosure(app, hostOptions(app));
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  // Breadth first: the program's needs in order, then theirs.
  EXPECT_THAT(fixtureObjects(*closure),
              ElementsAre(t / "lib/libcyc1.so", t / "lib/libleft.so", t / "lib/libright.so",
                          t / "lib/libcyc2.so", t / "lib/libbottom.so"));
  EXPECT_EQ(neededBy(*closure, "libbottom.so"), t / "lib/libleft.so");
  CommandResult ldso = run({kInterp, "--list", app});
  EXPECT_THAT(ldso.out, HasSubstr("libcyc2.so => " + t / "lib/libcyc2.so"));
}

TEST(ResolverFixtures, NeededWithSlashIsAPath) {
  ScratchDir t;
  std::string app = t / "app";
  // Linked by path, a library without DT_SONAME is recorded as that path in DT_NEEDED.
  ASSERT_EQ(
      compileC("int pth(void) { return 1; }\n", t / "lib/libnosoname.so", {"-shared", "-fPIC"}),
      "");
  ASSERT_EQ(program(app, {"pth"}, {t / "lib/libnosoname.so"}), "");
  auto closure = mkimage::resolveClosure(app, hostOptions(app));
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  EXPECT_THAT(fixtureObjects(*closure), ElementsAre(t / "lib/libnosoname.so"));
}

TEST(ResolverFixtures, SysrootConfinesEveryLookupIncludingAbsoluteSymlinks) {
  ScratchDir t;
  std::string s = t / "root";
  // A small target tree: merged /usr, an absolute /lib64 symlink to the interpreter, the
  // host's glibc copied in, a library reached through an absolute symlink.
  makeDirs(s + "/usr/lib/x86_64-linux-gnu");
  symlinkTo("usr/lib", s + "/lib");
  symlinkTo("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", s + "/lib64/ld-linux-x86-64.so.2");
  for (const char* f : {"ld-linux-x86-64.so.2", "libc.so.6"})
    std::filesystem::copy_file(std::string("/lib/x86_64-linux-gnu/") + f,
                               s + "/usr/lib/x86_64-linux-gnu/" + f);
  ASSERT_EQ(sharedLibrary(s + "/opt/real/libs.so.1.0", "libs.so.1", "sfun", {}), "");
  symlinkTo("/opt/real/libs.so.1.0", s + "/usr/lib/x86_64-linux-gnu/libs.so.1");
  std::string app = s + "/usr/bin/app";
  ASSERT_EQ(program(app, {"sfun"}, {s + "/opt/real/libs.so.1.0"}), "");

  ResolveOptions o;
  o.sysroot = s;
  o.programGuestPath = "/usr/bin/app";
  o.nss = ResolveOptions::Nss::Off;
  auto closure = mkimage::resolveClosure(app, o);
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  std::vector<std::string> opened;
  for (const auto& obj : closure->objects)
    opened.push_back(obj.openedPath);
  // No ld.so.cache in the sysroot: libs.so.1 and libc.so.6 come from the first default dir.
  EXPECT_THAT(opened, ElementsAre(kInterp, "/lib/x86_64-linux-gnu/libs.so.1",
                                  "/lib/x86_64-linux-gnu/libc.so.6"));
  struct Expect {
    ResolvedEntry::Kind kind;
    std::string guest, host, target;
  };
  using K = ResolvedEntry::Kind;
  std::vector<Expect> expected = {
      {K::Symlink, "/lib64/ld-linux-x86-64.so.2", s + "/lib64/ld-linux-x86-64.so.2",
       "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
      {K::File, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
       s + "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", ""},
      {K::Symlink, "/lib", s + "/lib", "usr/lib"},
      {K::Symlink, "/usr/lib/x86_64-linux-gnu/libs.so.1", s + "/usr/lib/x86_64-linux-gnu/libs.so.1",
       "/opt/real/libs.so.1.0"},
      {K::File, "/opt/real/libs.so.1.0", s + "/opt/real/libs.so.1.0", ""},
      {K::File, "/usr/lib/x86_64-linux-gnu/libc.so.6", s + "/usr/lib/x86_64-linux-gnu/libc.so.6",
       ""},
  };
  ASSERT_EQ(closure->entries.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(closure->entries[i].kind, expected[i].kind);
    EXPECT_EQ(closure->entries[i].guestPath, expected[i].guest);
    EXPECT_EQ(closure->entries[i].hostPath, expected[i].host);
    EXPECT_EQ(closure->entries[i].linkTarget, expected[i].target);
  }
  for (const std::string& path : closure->consulted)
    EXPECT_TRUE(path == app || path.rfind(s + "/", 0) == 0 || path == s) << path;
  // The tree has no libgcc_s.so.1, which glibc dlopen()s at thread exit: a warning naming it
  // and where it was looked for, not an error and not the host's copy.
  ASSERT_EQ(closure->warnings.size(), 1u);
  EXPECT_THAT(closure->warnings[0], HasSubstr("libgcc_s.so.1"));
  EXPECT_THAT(closure->warnings[0], HasSubstr("pthread_exit"));
  EXPECT_THAT(closure->warnings[0], HasSubstr("/usr/lib/x86_64-linux-gnu/ (default)"));

  // A library the host has but the sysroot lacks is an error, not a leak.
  std::string app2 = s + "/usr/bin/app2";
  ASSERT_EQ(program(app2, {}, {"-lz"}), "");
  o.programGuestPath = "/usr/bin/app2";
  std::string error = errorOf(mkimage::resolveClosure(app2, o));
  EXPECT_THAT(error, HasSubstr("cannot find libz.so.1"));
}

TEST(ResolverFixtures, NssAddsModulesOfTheSameLibcAndMinimalEtcFiles) {
  ScratchDir t;
  std::string app = t / "app";
  ASSERT_EQ(program(app, {}, {}), "");
  ResolveOptions o = hostOptions(app);
  o.nss = ResolveOptions::Nss::Auto;
  auto closure = mkimage::resolveClosure(app, o);
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  std::vector<std::string> generated;
  std::string libcDir;
  for (const ResolvedEntry& e : closure->entries) {
    if (e.kind == ResolvedEntry::Kind::Generated)
      generated.push_back(e.guestPath);
    if (e.guestPath.size() > 10 && e.guestPath.substr(e.guestPath.size() - 10) == "/libc.so.6")
      libcDir = e.guestPath.substr(0, e.guestPath.size() - 10);
  }
  EXPECT_THAT(generated, ElementsAre("/etc/group", "/etc/hosts", "/etc/nsswitch.conf",
                                     "/etc/passwd", "/etc/resolv.conf"));
  ASSERT_FALSE(libcDir.empty());
  for (const char* module : {"libnss_files.so.2", "libnss_dns.so.2"}) {
    const mkimage::LoadedObject* m = objectNamed(*closure, module);
    if (!std::filesystem::exists(libcDir + "/" + module))
      continue; // glibc >= 2.34 may ship no stub at all
    ASSERT_NE(m, nullptr) << module;
    EXPECT_EQ(m->guestPath, libcDir + "/" + module);
  }
  o.nss = ResolveOptions::Nss::Off;
  closure = mkimage::resolveClosure(app, o);
  ASSERT_TRUE(bool(closure));
  for (const ResolvedEntry& e : closure->entries)
    EXPECT_NE(e.kind, ResolvedEntry::Kind::Generated) << e.guestPath;
  for (const char* module : {"libnss_files.so.2", "libnss_dns.so.2"})
    EXPECT_EQ(objectNamed(*closure, module), nullptr) << module;
  // --library: resolved like a dlopen() from the program.
  o.extraLibraries = {"libz.so.1"};
  closure = mkimage::resolveClosure(app, o);
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  ASSERT_NE(objectNamed(*closure, "libz.so.1"), nullptr);
  EXPECT_EQ(neededBy(*closure, "libz.so.1"), "");
}

// glibc dlopen()s libgcc_s.so.1 by name when a thread exits or is cancelled (it unwinds the
// stack): a program that uses libc gets it, found as a dlopen() from libc.so.6 would find
// it, with the reason; without libc (static) or with the option off, nothing is added.
TEST(ResolverFixtures, LibcDlopensBringLibgccSWithTheReason) {
  ScratchDir t;
  std::string app = t / "app";
  ASSERT_EQ(program(app, {}, {}), "");
  ResolveOptions o = hostOptions(app);
  o.libcDlopens = true;
  auto closure = mkimage::resolveClosure(app, o);
  ASSERT_TRUE(bool(closure)) << errorOf(std::move(closure));
  const mkimage::LoadedObject* unwinder = objectNamed(*closure, "libgcc_s.so.1");
  ASSERT_NE(unwinder, nullptr);
  const mkimage::LoadedObject* libc = objectNamed(*closure, "libc.so.6");
  ASSERT_NE(libc, nullptr);
  EXPECT_EQ(unwinder->neededBy, libc->openedPath);
  EXPECT_THAT(unwinder->why, HasSubstr("pthread_exit"));
  // The host's loader finds it at the same path (the oracle for "found with ld.so's rules").
  CommandResult ldconfig = run({"/sbin/ldconfig", "-p"});
  ASSERT_EQ(ldconfig.status, 0);
  EXPECT_THAT(ldconfig.out, HasSubstr("libgcc_s.so.1 (libc6,x86-64) => " + unwinder->openedPath));
  bool entry = false;
  for (const ResolvedEntry& e : closure->entries)
    if (e.kind == ResolvedEntry::Kind::File && e.guestPath == unwinder->guestPath)
      entry = !e.why.empty() && e.neededBy == libc->openedPath;
  EXPECT_TRUE(entry) << unwinder->guestPath;
  EXPECT_TRUE(closure->warnings.empty());

  o.libcDlopens = false;
  closure = mkimage::resolveClosure(app, o);
  ASSERT_TRUE(bool(closure));
  EXPECT_EQ(objectNamed(*closure, "libgcc_s.so.1"), nullptr);
}

} // namespace
