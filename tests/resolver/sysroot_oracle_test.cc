// The system loader as the oracle inside a sysroot: a small Debian-shaped tree (merged /usr,
// /lib64 link, glibc copied from the host, a library only reachable through the tree's own
// ld.so.cache written by `ldconfig -r`). The resolver with --sysroot must agree with
// `chroot ROOT ld.so --list` (when the test may chroot, i.e. runs as root).
#include "resolver/error_text.h"
#include "resolver/resolver.h"
#include "test_support.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <filesystem>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace resolver_test;
using testing::HasSubstr;

namespace {

std::set<std::string> listedPaths(const std::string& out) {
  std::set<std::string> paths;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    size_t arrow = line.find(" => ");
    size_t start = arrow != std::string::npos ? arrow + 4 : line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] != '/')
      continue;
    size_t end = line.rfind(" (");
    paths.insert(line.substr(start, end == std::string::npos || end < start ? std::string::npos
                                                                            : end - start));
  }
  return paths;
}

std::string findTool(const char* name) {
  for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"})
    if (access((std::string(dir) + name).c_str(), X_OK) == 0)
      return std::string(dir) + name;
  return "";
}

TEST(ResolverSysrootOracle, LdSoCacheOfTheTargetAndChrootedLoaderAgree) {
  const std::string multiarch = "/usr/lib/x86_64-linux-gnu/";
  if (!std::filesystem::exists(multiarch + "libc.so.6") ||
      !std::filesystem::exists(multiarch + "ld-linux-x86-64.so.2"))
    GTEST_SKIP() << "host glibc is not in " << multiarch;
  std::string ldconfig = findTool("ldconfig");
  if (ldconfig.empty())
    GTEST_SKIP() << "no ldconfig";

  ScratchDir t;
  std::string s = t / "root";
  makeDirs(s + multiarch);
  for (const char* f : {"ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6"})
    std::filesystem::copy_file(multiarch + f, s + multiarch + f);
  symlinkTo("usr/lib", s + "/lib");
  symlinkTo("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", s + "/lib64/ld-linux-x86-64.so.2");
  ASSERT_EQ(sharedLibrary(s + "/opt/extra/libextra.so.1.0", "libextra.so.1", "extra", {}), "");
  std::string app = s + "/usr/bin/app";
  ASSERT_EQ(program(app, {"extra"}, {s + "/opt/extra/libextra.so.1.0", "-lm"}), "");
  writeFile(s + "/etc/ld.so.conf", "/opt/extra\n");
  // ldconfig writes <root>/etc/ld.so.cache and the soname link libextra.so.1.
  CommandResult lc = run({ldconfig, "-r", s});
  ASSERT_EQ(lc.status, 0) << lc.err;
  ASSERT_TRUE(std::filesystem::is_symlink(s + "/opt/extra/libextra.so.1"));

  mkimage::ResolveOptions o;
  o.sysroot = s;
  o.programGuestPath = "/usr/bin/app";
  o.nss = mkimage::ResolveOptions::Nss::Off;
  o.libcDlopens = false; // and no library glibc dlopen()s later
  auto closure = mkimage::resolveClosure(app, o);
  ASSERT_TRUE(bool(closure)) << mkimage::errorText(closure.takeError());
  std::set<std::string> got;
  for (const mkimage::LoadedObject& obj : closure->objects) {
    got.insert(obj.openedPath);
    EXPECT_EQ(obj.hostPath.rfind(s + "/", 0), 0u) << obj.hostPath; // nothing from the host
  }
  // libextra is only known to the target's cache (not a default directory).
  EXPECT_EQ(got.count("/opt/extra/libextra.so.1"), 1u);
  bool sawCache = false;
  for (const std::string& path : closure->consulted)
    sawCache |= path == s + "/etc/ld.so.cache";
  EXPECT_TRUE(sawCache);

  if (geteuid() != 0)
    GTEST_SKIP() << "not root: cannot chroot to ask the loader itself";
  std::string chroot = findTool("chroot");
  ASSERT_FALSE(chroot.empty());
  CommandResult listed = run({chroot, s, "/lib64/ld-linux-x86-64.so.2", "--list", "/usr/bin/app"});
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_EQ(listedPaths(listed.out), got) << listed.out;
}

} // namespace
