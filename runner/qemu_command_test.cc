#include "qemu_command.h"

#include <algorithm>
#include <gtest/gtest.h>

namespace runner {
namespace {

RunOptions withImage(const std::string& image) {
  RunOptions o;
  o.image = image;
  return o;
}

TEST(QemuCommand, DiskBootUnderTcg) {
  std::vector<std::string> expected = {"/usr/bin/qemu-system-x86_64",
                                       "-machine",
                                       "q35",
                                       "-accel",
                                       "tcg",
                                       "-cpu",
                                       "max",
                                       "-m",
                                       "256M",
                                       "-smp",
                                       "1",
                                       "-nodefaults",
                                       "-no-user-config",
                                       "-display",
                                       "none",
                                       "-serial",
                                       "stdio",
                                       "-no-reboot",
                                       "-device",
                                       "isa-debug-exit,iobase=0x501,iosize=0x02",
                                       "-drive",
                                       "file=hello.img,format=raw,if=none,id=d0",
                                       "-device",
                                       "virtio-blk-pci,drive=d0",
                                       "-device",
                                       "virtio-rng-pci",
                                       "-snapshot",
                                       "-netdev",
                                       "user,id=n0",
                                       "-device",
                                       "virtio-net-pci,netdev=n0,romfile="};
  EXPECT_EQ(buildQemuArgv(withImage("hello.img"), "/usr/bin/qemu-system-x86_64", Accel::Tcg),
            expected);
}

TEST(QemuCommand, KvmPvhPortsGdbPersist) {
  RunOptions o = withImage("a.img");
  o.kernel = "/k/kernel.img";
  o.persist = true;
  o.memoryMiB = 1024;
  o.cpus = 2;
  o.ports = {{8080, 80, "tcp"}, {5353, 53, "udp"}};
  o.gdbPort = 1234;
  o.extraQemuArgs = {"-d", "int"};
  std::vector<std::string> expected = {"qemu",
                                       "-machine",
                                       "q35",
                                       "-accel",
                                       "kvm",
                                       "-cpu",
                                       "host,-arch-capabilities",
                                       "-m",
                                       "1024M",
                                       "-smp",
                                       "2",
                                       "-nodefaults",
                                       "-no-user-config",
                                       "-display",
                                       "none",
                                       "-serial",
                                       "stdio",
                                       "-no-reboot",
                                       "-device",
                                       "isa-debug-exit,iobase=0x501,iosize=0x02",
                                       "-kernel",
                                       "/k/kernel.img",
                                       "-drive",
                                       "file=a.img,format=raw,if=none,id=d0",
                                       "-device",
                                       "virtio-blk-pci,drive=d0",
                                       "-device",
                                       "virtio-rng-pci",
                                       "-netdev",
                                       "user,id=n0,hostfwd=tcp::8080-:80,hostfwd=udp::5353-:53",
                                       "-device",
                                       "virtio-net-pci,netdev=n0,romfile=",
                                       "-gdb",
                                       "tcp:127.0.0.1:1234",
                                       "-S",
                                       "-d",
                                       "int"};
  EXPECT_EQ(buildQemuArgv(o, "qemu", Accel::Kvm), expected);
}

TEST(QemuCommand, MicrovmUsesVirtioMmio) {
  RunOptions o = withImage("a.img");
  o.machine = "microvm";
  o.kernel = "k";
  auto argv = buildQemuArgv(o, "qemu", Accel::Tcg);
  auto has = [&](const std::string& s) {
    return std::find(argv.begin(), argv.end(), s) != argv.end();
  };
  EXPECT_TRUE(has("microvm"));
  EXPECT_TRUE(has("virtio-blk-device,drive=d0"));
  EXPECT_TRUE(has("virtio-rng-device"));
  EXPECT_FALSE(has("virtio-blk-pci,drive=d0"));
}

TEST(QemuCommand, UefiFirmwareIsOvmfInTwoFlashes) {
  RunOptions o = withImage("a.img");
  auto has = [](const std::vector<std::string>& argv, const std::string& s) {
    return std::find(argv.begin(), argv.end(), s) != argv.end();
  };
  EXPECT_FALSE(has(buildQemuArgv(o, "qemu", Accel::Tcg),
                   "if=pflash,format=raw,unit=0,readonly=on,file=/o/CODE.fd"));
  o.firmware = "uefi";
  o.ovmfCode = "/o/CODE.fd";
  o.ovmfVars = "/tmp/v,1.fd";
  auto argv = buildQemuArgv(o, "qemu", Accel::Tcg);
  EXPECT_TRUE(has(argv, "if=pflash,format=raw,unit=0,readonly=on,file=/o/CODE.fd"));
  EXPECT_TRUE(has(argv, "if=pflash,format=raw,unit=1,file=/tmp/v,,1.fd")); // writable copy
  EXPECT_TRUE(has(argv, "isa-debug-exit,iobase=0x501,iosize=0x02"));       // the loader's failures
}

TEST(QemuCommand, VirtioScsiDiskIsAScsiHdOnItsController) {
  RunOptions o = withImage("a.img");
  o.disk = "virtio-scsi";
  auto argv = buildQemuArgv(o, "qemu", Accel::Tcg);
  auto at = [&](const std::string& s) { return std::find(argv.begin(), argv.end(), s); };
  ASSERT_NE(at("virtio-scsi-pci,id=scsi0"), argv.end());
  ASSERT_NE(at("scsi-hd,drive=d0,bus=scsi0.0"), argv.end());
  EXPECT_EQ(*(at("virtio-scsi-pci,id=scsi0") - 1), "-device");
  EXPECT_EQ(*(at("scsi-hd,drive=d0,bus=scsi0.0") - 1), "-device");
  EXPECT_LT(at("virtio-scsi-pci,id=scsi0"), at("scsi-hd,drive=d0,bus=scsi0.0"))
      << "the controller exists before its disk";
  EXPECT_EQ(at("virtio-blk-pci,drive=d0"), argv.end());
  o.machine = "microvm";
  o.kernel = "k";
  argv = buildQemuArgv(o, "qemu", Accel::Tcg);
  EXPECT_NE(at("virtio-scsi-device,id=scsi0"), argv.end());
}

TEST(QemuCommand, NvmeDiskIsAControllerWithTheDriveAsItsNamespace) {
  RunOptions o = withImage("a.img");
  o.disk = "nvme";
  auto argv = buildQemuArgv(o, "qemu", Accel::Tcg);
  auto at = [&](const std::string& s) { return std::find(argv.begin(), argv.end(), s); };
  ASSERT_NE(at("nvme,serial=nanos0,drive=d0"), argv.end());
  EXPECT_EQ(*(at("nvme,serial=nanos0,drive=d0") - 1), "-device");
  EXPECT_EQ(at("virtio-blk-pci,drive=d0"), argv.end());
  auto drive = std::find_if(argv.begin(), argv.end(), [](const std::string& s) {
    return s.rfind("file=", 0) == 0 && s.find("if=none,id=d0") != std::string::npos;
  });
  EXPECT_NE(drive, argv.end()) << "the drive is declared apart and attached by id";
}

TEST(QemuCommand, PathsWithSpacesAndCommasStayOneArgument) {
  RunOptions o = withImage("/tmp/my dir/a,b.img");
  o.kernel = "/tmp/my dir/kernel.img";
  auto argv = buildQemuArgv(o, "qemu", Accel::Tcg);
  EXPECT_NE(
      std::find(argv.begin(), argv.end(), "file=/tmp/my dir/a,,b.img,format=raw,if=none,id=d0"),
      argv.end());
  EXPECT_NE(std::find(argv.begin(), argv.end(), "/tmp/my dir/kernel.img"), argv.end());
}

TEST(QemuCommand, VerboseSetsTheBootLoadersFwCfgFlag) {
  RunOptions o = withImage("a.img");
  auto flag = [](const std::vector<std::string>& argv) {
    auto at = std::find(argv.begin(), argv.end(), "-fw_cfg");
    return at != argv.end() && at + 1 != argv.end() && at[1] == "name=opt/nanos/verbose,string=1";
  };
  EXPECT_FALSE(flag(buildQemuArgv(o, "qemu", Accel::Tcg)));
  o.verbose = true;
  EXPECT_TRUE(flag(buildQemuArgv(o, "qemu", Accel::Tcg)));
}

TEST(QemuCommand, ImageFormatReachesTheDrive) {
  RunOptions o = withImage("a.vhd");
  o.imageFormat = "vpc";
  auto argv = buildQemuArgv(o, "qemu", Accel::Tcg);
  EXPECT_NE(std::find(argv.begin(), argv.end(), "file=a.vhd,format=vpc,if=none,id=d0"), argv.end());
}

TEST(QemuCommand, ExitChannelIsAUartAtCom2WrittenToTheFile) {
  RunOptions o = withImage("a.img");
  auto argv = buildQemuArgv(o, "qemu", Accel::Tcg, "/tmp/x,y.exit");
  auto at = std::find(argv.begin(), argv.end(), "-chardev");
  ASSERT_NE(at, argv.end());
  ASSERT_LT(at + 3, argv.end());
  EXPECT_EQ(at[1], "file,id=nanos-exit,path=/tmp/x,,y.exit"); // the comma doubled
  EXPECT_EQ(at[2], "-device");
  EXPECT_EQ(at[3], "isa-serial,chardev=nanos-exit,iobase=0x2f8,irq=3");
  // Beside isa-debug-exit, which images without the channel still use.
  EXPECT_NE(std::find(argv.begin(), argv.end(), "isa-debug-exit,iobase=0x501,iosize=0x02"),
            argv.end());
  // No path, no channel.
  auto plain = buildQemuArgv(o, "qemu", Accel::Tcg);
  EXPECT_EQ(std::find(plain.begin(), plain.end(), "-chardev"), plain.end());
}

TEST(QemuCommand, ShellQuoting) {
  EXPECT_EQ(shellQuoteCommand({"qemu", "-m", "256M", "file=a b.img", "it's", ""}),
            "qemu -m 256M 'file=a b.img' 'it'\\''s' ''");
}

} // namespace
} // namespace runner
