#include "resolver/debian_packages.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>

namespace mkimage {
namespace {

namespace fs = std::filesystem;

TEST(DpkgStatus, ParsesStanzas) {
  auto packages = parseDpkgStatus("Package: python3.11\n"
                                  "Status: install ok installed\n"
                                  "Architecture: amd64\n"
                                  "Depends: python3.11-minimal (= 3.11.2-6), libpython3.11-stdlib "
                                  "(= 3.11.2-6), media-types | mime-support, tzdata:any\n"
                                  "Description: a language\n"
                                  " Depends: not a field (continuation line)\n"
                                  "\n"
                                  "Package: openjdk-17-jre-headless\n"
                                  "Source: openjdk-17 (17.0.15+6-1~deb12u1)\n"
                                  "Status: deinstall ok config-files\n"
                                  "Pre-Depends: java-common\n");
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(packages[0].name, "python3.11");
  EXPECT_EQ(packages[0].source, "python3.11"); // no Source: field
  EXPECT_EQ(packages[0].architecture, "amd64");
  EXPECT_THAT(packages[0].depends,
              testing::ElementsAre("python3.11-minimal", "libpython3.11-stdlib", "media-types",
                                   "mime-support", "tzdata"));
  EXPECT_EQ(packages[1].source, "openjdk-17");
  EXPECT_EQ(packages[1].status, "deinstall ok config-files");
  EXPECT_THAT(packages[1].depends, testing::ElementsAre("java-common"));
}

TEST(DpkgStatus, Documentation) {
  EXPECT_TRUE(isPackageDocumentation("/usr/share/doc/x/copyright"));
  EXPECT_TRUE(isPackageDocumentation("/usr/share/man/man1/x.1.gz"));
  EXPECT_TRUE(isPackageDocumentation("/usr/share/info/x.info.gz"));
  EXPECT_TRUE(isPackageDocumentation("/usr/share/lintian/overrides/x"));
  EXPECT_FALSE(isPackageDocumentation("/usr/share/docs/x")); // not the doc directory
  EXPECT_FALSE(isPackageDocumentation("/usr/share/python3/x.py"));
}

// A target tree with a dpkg database, made in a scratch directory.
class DebianTree : public testing::Test {
protected:
  void SetUp() override {
    char pattern[] = "/tmp/debian_packages_test.XXXXXX";
    root = ::mkdtemp(pattern);
  }
  void TearDown() override { fs::remove_all(root); }
  void file(const std::string& path, const std::string& bytes = "x") {
    fs::create_directories(fs::path(root + path).parent_path());
    std::ofstream(root + path) << bytes;
  }
  void link(const std::string& path, const std::string& target) {
    fs::create_directories(fs::path(root + path).parent_path());
    fs::create_symlink(target, root + path);
  }
  std::map<std::string, PackageEntry> entriesOf(const PackageSet& set) {
    std::map<std::string, PackageEntry> m;
    for (const PackageEntry& e : set.entries)
      m[e.guestPath] = e;
    return m;
  }
  // A merged-/usr runtime split in three packages of one source, one of another source.
  void makeRuntime() {
    fs::create_directories(root + "/usr/lib");
    link("/lib", "usr/lib");
    file("/usr/bin/rt", "runtime");
    file("/usr/lib/rt/core.py");
    file("/usr/lib/x86_64-linux-gnu/librt.so.1", "librt");
    file("/usr/share/doc/rt/copyright");
    file("/usr/share/man/man1/rt.1.gz");
    file("/etc/rt/conf", "setting");
    link("/usr/lib/rt/conf", "/etc/rt/conf");
    link("/usr/lib/rt/cacerts", "/etc/ssl/rt/cacerts");
    file("/etc/ssl/rt/cacerts", "certs");
    file("/usr/lib/other/lib.so");
    file("/var/lib/dpkg/status", "Package: dpkg\nStatus: install ok installed\nArchitecture: "
                                 "amd64\n\n"
                                 "Package: rt\nStatus: install ok installed\nArchitecture: amd64\n"
                                 "Depends: rt-core (= 1), other, missing-pkg\n\n"
                                 "Package: rt-core\nSource: rt (1)\nStatus: install ok installed\n"
                                 "Architecture: amd64\nMulti-Arch: same\n\n"
                                 "Package: other\nStatus: install ok installed\nArchitecture: all\n"
                                 "\n"
                                 "Package: gone\nStatus: deinstall ok config-files\n"
                                 "Architecture: amd64\n");
    file("/var/lib/dpkg/info/rt.list", "/.\n/usr\n/usr/bin\n/usr/bin/rt\n/usr/share/doc\n"
                                       "/usr/share/doc/rt\n/usr/share/doc/rt/copyright\n"
                                       "/usr/share/man/man1/rt.1.gz\n/etc/rt\n/etc/rt/conf\n"
                                       "/usr/lib/rt\n/usr/lib/rt/conf\n/usr/lib/rt/cacerts\n"
                                       "/usr/lib/rt/vanished\n");
    file("/var/lib/dpkg/info/rt-core:amd64.list",
         "/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/librt.so.1\n/usr/lib/rt/core.py\n");
    file("/var/lib/dpkg/info/other.list", "/usr/lib/other/lib.so\n");
  }
  std::string root;
};

TEST_F(DebianTree, MapsPackageAndSameSourceDependencies) {
  makeRuntime();
  auto set = readDebianPackages({"rt"}, root);
  ASSERT_TRUE(static_cast<bool>(set)) << llvm::toString(set.takeError());
  EXPECT_THAT(set->packages, testing::ElementsAre("rt:amd64", "rt-core:amd64"));
  auto m = entriesOf(*set);
  EXPECT_EQ(m.at("/usr/bin/rt").kind, PackageEntry::Kind::File);
  EXPECT_EQ(m.at("/usr/bin/rt").hostPath, root + "/usr/bin/rt");
  EXPECT_EQ(m.at("/usr/bin/rt").source, "package rt");
  // No documentation, no manual pages, nothing that vanished from the target.
  for (const auto& [path, entry] : m)
    EXPECT_EQ(path.find("/usr/share/"), std::string::npos) << path;
  EXPECT_EQ(m.count("/usr/lib/rt/vanished"), 0u);
  // The merged-/usr spelling of the list resolves through the target's /lib link, which is
  // kept as a link.
  EXPECT_EQ(m.at("/usr/lib/x86_64-linux-gnu/librt.so.1").kind, PackageEntry::Kind::File);
  EXPECT_EQ(m.count("/lib/x86_64-linux-gnu/librt.so.1"), 0u);
  EXPECT_EQ(m.at("/lib").kind, PackageEntry::Kind::Symlink);
  EXPECT_EQ(m.at("/lib").linkTarget, "usr/lib");
  // Links stay links; a target outside the package comes along, one inside is there anyway.
  EXPECT_EQ(m.at("/usr/lib/rt/conf").linkTarget, "/etc/rt/conf");
  EXPECT_EQ(m.at("/etc/rt/conf").source, "package rt");
  EXPECT_EQ(m.at("/etc/ssl/rt/cacerts").kind, PackageEntry::Kind::File);
  EXPECT_THAT(m.at("/etc/ssl/rt/cacerts").source,
              testing::HasSubstr("target of /usr/lib/rt/cacerts"));
  // Another source package is not mapped (the resolver brings libraries).
  EXPECT_EQ(m.count("/usr/lib/other/lib.so"), 0u);
  EXPECT_THAT(set->consulted, testing::Contains(root + "/var/lib/dpkg/info/rt-core:amd64.list"));
}

TEST_F(DebianTree, ArchitectureQualifiedName) {
  makeRuntime();
  auto set = readDebianPackages({"rt-core:amd64", "other"}, root);
  ASSERT_TRUE(static_cast<bool>(set)) << llvm::toString(set.takeError());
  EXPECT_THAT(set->packages, testing::ElementsAre("rt-core:amd64", "other:all"));
  auto wrong = readDebianPackages({"rt-core:arm64"}, root);
  ASSERT_FALSE(static_cast<bool>(wrong));
  EXPECT_THAT(llvm::toString(wrong.takeError()), testing::HasSubstr("rt-core:arm64"));
}

TEST_F(DebianTree, NotInstalledIsOneLineNamingPackageAndDatabase) {
  makeRuntime();
  for (const char* name : {"nosuch", "gone"}) {
    auto set = readDebianPackages({"rt", name}, root);
    ASSERT_FALSE(static_cast<bool>(set));
    std::string error = llvm::toString(set.takeError());
    EXPECT_THAT(error, testing::HasSubstr(std::string("--package ") + name + ": not installed"));
    EXPECT_THAT(error, testing::HasSubstr(root + "/var/lib/dpkg/status"));
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  auto gone = readDebianPackages({"gone"}, root);
  EXPECT_THAT(llvm::toString(gone.takeError()), testing::HasSubstr("deinstall ok config-files"));
  // No database at all.
  auto none = readDebianPackages({"rt"}, root + "/usr");
  ASSERT_FALSE(static_cast<bool>(none));
  EXPECT_THAT(
      llvm::toString(none.takeError()),
      testing::HasSubstr("cannot read the dpkg database " + root + "/usr/var/lib/dpkg/status"));
}

TEST(DebianHost, Python311FromTheHostDatabase) {
  // The host's own database (Debian 12 with python3.11, .ci/install-deps).
  auto set = readDebianPackages({"python3.11"}, "");
  if (!set) {
    GTEST_SKIP() << llvm::toString(set.takeError());
  }
  auto has = [&](const std::string& path) {
    for (const PackageEntry& e : set->entries)
      if (e.guestPath == path)
        return true;
    return false;
  };
  EXPECT_TRUE(has("/usr/bin/python3.11"));
  EXPECT_TRUE(has("/usr/lib/python3.11/os.py"));
  EXPECT_TRUE(has("/usr/lib/python3.11/ssl.py"));
  EXPECT_FALSE(has("/usr/share/doc/python3.11/copyright"));
}

} // namespace
} // namespace mkimage
