#include "run_options.h"

#include <gtest/gtest.h>

namespace runner {
namespace {

RunOptions parseOk(const std::vector<std::string>& args) {
  auto o = parseRunOptions(args);
  if (!o) {
    ADD_FAILURE() << llvm::toString(o.takeError());
    return {};
  }
  return *o;
}

std::string parseError(const std::vector<std::string>& args) {
  auto o = parseRunOptions(args);
  if (o)
    return "";
  return llvm::toString(o.takeError());
}

TEST(RunOptions, Defaults) {
  RunOptions o = parseOk({"hello.img"});
  EXPECT_EQ(o.image, "hello.img");
  EXPECT_EQ(o.accel, Accel::Auto);
  EXPECT_EQ(o.memoryMiB, 256u);
  EXPECT_EQ(o.cpus, 1u);
  EXPECT_EQ(o.machine, "q35");
  EXPECT_EQ(o.disk, "virtio-blk");
  EXPECT_FALSE(o.timeoutSeconds.has_value());
  EXPECT_FALSE(o.persist);
  EXPECT_FALSE(o.dryRun);
  EXPECT_EQ(o.hypervisor, Hypervisor::Qemu);
}

TEST(RunOptions, EveryOption) {
  RunOptions o = parseOk({"--accel",   "tcg",       "--memory=1G",  "--cpus",      "2",
                          "-p",        "8080:80",   "-p",           "5353:53/udp", "--timeout",
                          "1.5",       "--machine", "pc",           "--kernel",    "k.elf",
                          "--gdb",     "1234",      "--persist",    "--disk",      "virtio-scsi",
                          "--dry-run", "--quiet",   "my image.img", "--",          "-d",
                          "int"});
  EXPECT_EQ(o.image, "my image.img");
  EXPECT_EQ(o.accel, Accel::Tcg);
  EXPECT_EQ(o.memoryMiB, 1024u);
  EXPECT_EQ(o.cpus, 2u);
  ASSERT_EQ(o.ports.size(), 2u);
  EXPECT_EQ(o.ports[0].host, 8080);
  EXPECT_EQ(o.ports[0].guest, 80);
  EXPECT_EQ(o.ports[0].protocol, "tcp");
  EXPECT_EQ(o.ports[1].protocol, "udp");
  EXPECT_DOUBLE_EQ(*o.timeoutSeconds, 1.5);
  EXPECT_EQ(o.machine, "pc");
  EXPECT_EQ(o.kernel, "k.elf");
  EXPECT_EQ(o.disk, "virtio-scsi");
  EXPECT_EQ(*o.gdbPort, 1234);
  EXPECT_TRUE(o.persist && o.dryRun && o.quiet);
  EXPECT_EQ(o.extraQemuArgs, (std::vector<std::string>{"-d", "int"}));
}

TEST(RunOptions, MemorySizes) {
  EXPECT_EQ(*parseMemoryMiB("512"), 512u);
  EXPECT_EQ(*parseMemoryMiB("64m"), 64u);
  EXPECT_EQ(*parseMemoryMiB("2G"), 2048u);
  EXPECT_EQ(*parseMemoryMiB("2048K"), 2u);
  for (const char* bad : {"", "0", "M", "12X", "1.5G", "-1", "1000K", "99999999999G"}) {
    auto m = parseMemoryMiB(bad);
    EXPECT_FALSE(m) << bad;
    if (!m)
      llvm::consumeError(m.takeError());
  }
}

TEST(RunOptions, BadCommandLinesNameTheOption) {
  EXPECT_NE(parseError({}).find("no IMAGE"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "b.img"}).find("more than one IMAGE"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--accel", "hvf"}).find("--accel 'hvf'"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--cpus", "0"}).find("--cpus"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--timeout", "-3"}).find("--timeout"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--timeout"}).find("needs a value"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "-p", "80"}).find("HOST:GUEST"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "-p", "0:80"}).find("1 to 65535"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "-p", "1:2/sctp"}).find("tcp or udp"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--machine", "virt"}).find("--machine"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--frobnicate"}).find("unknown option"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--persist=yes"}).find("takes no value"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "-p", "1:2"}).find("xen"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--machine", "microvm"}).find("--kernel"), std::string::npos);
  EXPECT_EQ(parseError({"a.img", "--firmware", "efi"}), "--firmware 'efi': expected bios or uefi");
  EXPECT_NE(parseError({"a.img", "--firmware", "uefi", "--kernel", "k"}).find("--kernel"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--firmware", "uefi", "--hypervisor", "xen"}).find("xen"),
            std::string::npos);
  EXPECT_EQ(parseError({"a.img", "--disk", "ide"}),
            "--disk 'ide': expected virtio-blk, virtio-scsi or nvme");
  EXPECT_NE(parseError({"a.img", "--machine", "microvm", "--kernel", "k", "--disk", "nvme"})
                .find("needs PCI"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--disk", "nvme"}).find("--disk"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--disk"}).find("--disk needs a value"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--disk=virtio-scsi"}).find("--disk"),
            std::string::npos);
}

TEST(RunOptions, DiskChoices) {
  EXPECT_EQ(parseOk({"a.img", "--disk", "virtio-blk"}).disk, "virtio-blk");
  EXPECT_EQ(parseOk({"a.img", "--disk", "nvme"}).disk, "nvme");
  EXPECT_EQ(parseOk({"a.img", "--disk=virtio-scsi"}).disk, "virtio-scsi");
}

TEST(RunOptions, TooLittleMemoryNamesTheMinimum) {
  EXPECT_EQ(parseError({"a.img", "--memory", "1M"}),
            "--memory 1M is too little: the guest needs at least 16M");
  EXPECT_EQ(parseOk({"a.img", "--memory", "16M"}).memoryMiB, kMinMemoryMiB);
}

TEST(RunOptions, VerboseAndQuiet) {
  EXPECT_TRUE(parseOk({"a.img", "--verbose"}).verbose);
  EXPECT_FALSE(parseOk({"a.img"}).verbose);
  EXPECT_NE(parseError({"a.img", "-q", "-v"}).find("--quiet and --verbose"), std::string::npos);
}

TEST(RunOptions, ProgramModeImageOptions) {
  RunOptions o = parseOk({"./app", "--file", "a.txt:/etc/a", "-e", "K=V=W", "--dir=www:/srv",
                          "--env", "X=", "--", "one", "two words"});
  EXPECT_EQ(o.image, "./app");
  EXPECT_EQ(o.mkimageArgs, (std::vector<std::string>{"--file", "a.txt:/etc/a", "--env", "K=V=W",
                                                     "--dir", "www:/srv", "--env", "X="}));
  EXPECT_EQ(o.extraQemuArgs, (std::vector<std::string>{"one", "two words"}));
  EXPECT_EQ(parseError({"./app", "--file", "a.txt"}), "--file 'a.txt': expected HOST:GUEST");
  EXPECT_EQ(parseError({"./app", "-e", "=v"}), "-e '=v': expected NAME=VALUE");
  EXPECT_EQ(parseError({"./app", "--dir", ":/srv"}), "--dir ':/srv': expected HOST:GUEST");
}

// Exported artifacts (issue 20) boot in their own format.
TEST(RunOptions, ImageFormat) {
  EXPECT_EQ(parseOk({"a.img"}).imageFormat, "raw");
  EXPECT_EQ(parseOk({"a.qcow2", "--image-format", "qcow2"}).imageFormat, "qcow2");
  EXPECT_NE(parseError({"a.img", "--image-format", "vdi"}).find("--image-format 'vdi'"),
            std::string::npos);
}

} // namespace
} // namespace runner
