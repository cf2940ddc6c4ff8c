#include "net_options.h"
#include "qemu_command.h"
#include "run_options.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

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

// The arguments after "-netdev" up to the end of the NIC's -device (empty if none).
std::vector<std::string> netArgs(const RunOptions& o) {
  auto argv = buildQemuArgv(o, "qemu", Accel::Tcg);
  auto at = std::find(argv.begin(), argv.end(), "-netdev");
  if (at == argv.end())
    return {};
  return {at, std::min(at + 4, argv.end())};
}

TEST(NetOptions, UserNetworkingIsTheDefault) {
  RunOptions o = parseOk({"a.img"});
  EXPECT_EQ(o.net.mode, NetMode::User);
  EXPECT_FALSE(o.net.modeGiven);
  EXPECT_FALSE(o.net.eventIdx.has_value());
  EXPECT_EQ(netArgs(o), (std::vector<std::string>{"-netdev", "user,id=n0", "-device",
                                                  "virtio-net-pci,netdev=n0,romfile="}));
}

TEST(NetOptions, ModesAndEventIdx) {
  RunOptions o = parseOk({"a.img", "--net", "tap:tap7", "--net-event-idx", "off"});
  EXPECT_EQ(o.net.mode, NetMode::Tap);
  EXPECT_EQ(o.net.tapInterface, "tap7");
  EXPECT_EQ(o.net.eventIdx, false);
  EXPECT_EQ(netArgs(o), (std::vector<std::string>{
                            "-netdev", "tap,id=n0,ifname=tap7,script=no,downscript=no", "-device",
                            "virtio-net-pci,netdev=n0,romfile=,event_idx=off"}));

  o = parseOk({"a.img", "--net=user", "--net-event-idx=on", "-p", "8080:80", "-p", "53:53/udp"});
  EXPECT_EQ(o.net.mode, NetMode::User);
  EXPECT_TRUE(o.net.modeGiven);
  EXPECT_EQ(netArgs(o), (std::vector<std::string>{
                            "-netdev", "user,id=n0,hostfwd=tcp::8080-:80,hostfwd=udp::53-:53",
                            "-device", "virtio-net-pci,netdev=n0,romfile=,event_idx=on"}));

  o = parseOk({"a.img", "--net", "none"});
  EXPECT_EQ(o.net.mode, NetMode::None);
  auto argv = buildQemuArgv(o, "qemu", Accel::Tcg);
  for (const std::string& a : argv)
    EXPECT_EQ(a.find("net"), std::string::npos) << a;
}

TEST(NetOptions, TheLastNetWins) {
  EXPECT_EQ(parseOk({"a.img", "--net", "none", "--net", "user"}).net.mode, NetMode::User);
}

TEST(NetOptions, MicrovmNicIsVirtioMmioWithoutOptionRom) {
  RunOptions o = parseOk({"a.img", "--machine", "microvm", "--kernel", "k", "--net-event-idx",
                          "off", "-p", "8080:80"});
  EXPECT_EQ(netArgs(o),
            (std::vector<std::string>{"-netdev", "user,id=n0,hostfwd=tcp::8080-:80", "-device",
                                      "virtio-net-device,netdev=n0,event_idx=off"}));
}

TEST(NetOptions, PcMachineUsesPci) {
  RunOptions o = parseOk({"a.img", "--machine", "pc"});
  EXPECT_EQ(netArgs(o).at(3), "virtio-net-pci,netdev=n0,romfile=");
}

TEST(NetOptions, BadValuesAreOneLineNamingTheOption) {
  EXPECT_EQ(parseError({"a.img", "--net", "bridge"}),
            "--net 'bridge': expected user, tap:IFNAME, bridge:BRIDGE or none");
  EXPECT_NE(parseError({"a.img", "--net", "tap:"}).find("--net 'tap:': the tap interface name"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--net", "tap:a/b"}).find("--net 'tap:a/b'"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--net", "tap:a,b"}).find("--net 'tap:a,b'"), std::string::npos);
  EXPECT_NE(parseError({"a.img", "--net", "tap:sixteen-chars-xx"}).find("1-15 characters"),
            std::string::npos);
  EXPECT_EQ(parseError({"a.img", "--net"}), "--net needs a value");
  EXPECT_EQ(parseError({"a.img", "--net-event-idx", "maybe"}),
            "--net-event-idx 'maybe': expected on or off");
  for (const auto& args : {std::vector<std::string>{"a.img", "--net", "x"},
                           std::vector<std::string>{"a.img", "--net", "none", "-p", "1:2"}})
    EXPECT_EQ(parseError(args).find('\n'), std::string::npos);
}

TEST(NetOptions, PortForwardsNeedUserNetworking) {
  EXPECT_EQ(parseError({"a.img", "--net", "none", "-p", "8080:80"}),
            "-p needs --net user (QEMU's port forwarding), not --net none");
  EXPECT_EQ(parseError({"a.img", "-p", "8080:80", "--net", "tap:tap0"}),
            "-p needs --net user (QEMU's port forwarding); with --net tap:tap0 reach the guest "
            "at its own address instead");
  EXPECT_NE(parseError({"a.img", "--net", "none", "--net-event-idx", "off"}).find("--net none"),
            std::string::npos);
}

TEST(NetOptions, XenRefusesWhatItCannotDo) {
  // The default (user networking) is a QEMU device: under Xen it just is not there.
  RunOptions o = parseOk({"a.img", "--hypervisor", "xen"});
  EXPECT_EQ(o.hypervisor, Hypervisor::Xen);
  EXPECT_EQ(parseOk({"a.img", "--hypervisor", "xen", "--net", "none"}).net.mode, NetMode::None);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--net", "user"})
                .find("--net user is not supported with --hypervisor xen"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--net", "tap:t0"}).find("xen"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--net-event-idx", "off"})
                .find("--net-event-idx is not supported with --hypervisor xen"),
            std::string::npos);
}

TEST(NetOptions, XenBridgeGivesTheVif) {
  RunOptions o = parseOk({"a.img", "--hypervisor", "xen", "--net", "bridge:xenbr0"});
  EXPECT_EQ(o.net.mode, NetMode::Bridge);
  EXPECT_EQ(o.xen.bridge, "xenbr0");
  // The same bridge twice is fine; two different ones are not.
  EXPECT_EQ(parseOk({"a.img", "--hypervisor", "xen", "--net", "bridge:br1", "--xen-bridge", "br1"})
                .xen.bridge,
            "br1");
  EXPECT_EQ(
      parseError({"a.img", "--hypervisor", "xen", "--net", "bridge:br1", "--xen-bridge", "br2"}),
      "--net bridge:br1 and --xen-bridge br2 name different bridges");
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--net", "bridge:"}).find("bridge name"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--net", "bridge:a=b"}).find("bridge name"),
            std::string::npos);
  // QEMU has no bridge mode of ours: no NIC arguments could honour it.
  EXPECT_NE(parseError({"a.img", "--net", "bridge:xenbr0"}).find("needs --hypervisor xen"),
            std::string::npos);
}

TEST(NetOptions, HostInterfaceExistsLooksInSysClassNet) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("net_options_test." + std::to_string(::getpid()));
  fs::create_directories(root / "class/net/tapx");
  EXPECT_TRUE(hostInterfaceExists("tapx", root.string()));
  EXPECT_FALSE(hostInterfaceExists("tapy", root.string()));
  fs::remove_all(root);
  if (fs::exists("/sys/class/net/lo")) {
    EXPECT_TRUE(hostInterfaceExists("lo"));
  }
  EXPECT_FALSE(hostInterfaceExists("no-such-if-42"));
}

} // namespace
} // namespace runner
