#include "artifact/export.h"
#include "artifact/export_options.h"

#include <gtest/gtest.h>

namespace mkimage {
char UsageError::ID = 0; // defined by the tool's main.cc, which this test does not link
}

namespace mkimage::artifact {
namespace {

TEST(Export, FormatsByName) {
  for (const char* name : {"raw", "qcow2", "vmdk", "vhd", "vhdx", "gce", "oci", "containerdisk"}) {
    auto f = parseFormat(name);
    ASSERT_TRUE(static_cast<bool>(f)) << name;
    EXPECT_STREQ(formatName(*f), name);
  }
  auto bad = parseFormat("vdi");
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("unknown format 'vdi'"), std::string::npos);
}

TEST(Export, SizeRules) {
  EXPECT_EQ(*virtualSize(Format::Vhd, 5 * 1048576 + 512, std::nullopt), 6u * 1048576);
  EXPECT_EQ(*virtualSize(Format::Gce, 5 * 1048576, std::nullopt), 1ull << 30);
  EXPECT_EQ(*virtualSize(Format::Qcow2, 1000, std::nullopt), 1024u);
  EXPECT_EQ(*virtualSize(Format::Raw, 4096, 8192), 8192u);
  auto small = virtualSize(Format::Qcow2, 1 << 20, 4096);
  ASSERT_FALSE(static_cast<bool>(small));
  EXPECT_NE(llvm::toString(small.takeError()).find("smaller than the image"), std::string::npos);
  auto unit = virtualSize(Format::Vhd, 1 << 20, (1 << 21) + 512);
  ASSERT_FALSE(static_cast<bool>(unit));
  EXPECT_NE(llvm::toString(unit.takeError()).find("multiple of 1 MiB"), std::string::npos);
  EXPECT_FALSE(static_cast<bool>(virtualSize(Format::Gce, 1 << 20, 3ull << 29)));
  EXPECT_FALSE(static_cast<bool>(virtualSize(Format::Vhd, 1 << 20, 2041ull << 30)));
}

TEST(Export, OptionsAndDefaults) {
  std::vector<llvm::StringRef> args = {"app.img",
                                       "--format",
                                       "containerdisk",
                                       "-o",
                                       "out/App.tar",
                                       "--kubevirt-manifest",
                                       "vm.yaml",
                                       "--kubevirt-port",
                                       "8080",
                                       "--kubevirt-memory",
                                       "1G"};
  auto o = parseExportOptions(args);
  ASSERT_TRUE(static_cast<bool>(o)) << llvm::toString(o.takeError());
  EXPECT_EQ(o->image, "app.img");
  EXPECT_EQ(o->format, Format::ContainerDisk);
  EXPECT_EQ(o->kubevirt.name, "app");
  EXPECT_EQ(o->kubevirt.containerImage, "app:latest");
  EXPECT_EQ(o->kubevirt.memoryMiB, 1024u);
  ASSERT_EQ(o->kubevirt.ports.size(), 1u);
  EXPECT_FALSE(writesDirectory(*o));
  o->output = "out/layout";
  EXPECT_TRUE(writesDirectory(*o));
}

TEST(Export, BadCommandLines) {
  using A = std::vector<llvm::StringRef>;
  EXPECT_FALSE(static_cast<bool>(parseExportOptions(A{"a.img", "-o", "x"})));
  EXPECT_FALSE(static_cast<bool>(parseExportOptions(A{"a.img", "--format", "vdi", "-o", "x"})));
  EXPECT_FALSE(
      static_cast<bool>(parseExportOptions(A{"a.img", "--format", "raw", "-o", "x", "--bogus"})));
  EXPECT_FALSE(static_cast<bool>(parseExportOptions(A{"a.img", "--format", "raw", "-o"})));
  EXPECT_FALSE(static_cast<bool>(
      parseExportOptions(A{"a.img", "--format", "raw", "-o", "x", "--kubevirt-cpus", "0"})));
}

TEST(Export, BuildKeepsItsOwnOptions) {
  std::vector<llvm::StringRef> args = {"prog", "-o", "x.qcow2", "--format", "qcow2", "--arg", "a"};
  std::vector<llvm::StringRef> rest;
  ExportOptions o;
  ASSERT_FALSE(static_cast<bool>(takeArtifactOptions(args, rest, o)));
  EXPECT_EQ(o.format, Format::Qcow2);
  EXPECT_EQ(rest, (std::vector<llvm::StringRef>{"prog", "-o", "x.qcow2", "--arg", "a"}));
}

} // namespace
} // namespace mkimage::artifact
