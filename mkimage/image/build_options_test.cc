#include "image/build_options.h"

#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace mkimage {
char UsageError::ID = 0; // defined by the tool's main.cc, which this test does not link

namespace {

llvm::Expected<BuildOptions> parse(std::vector<std::string> args) {
  std::vector<llvm::StringRef> refs(args.begin(), args.end());
  return parseBuildOptions(refs);
}

TEST(BuildOptions, ParsesTheDocumentedSpellings) {
  auto o = parse({"prog",
                  "-o",
                  "out.img",
                  "--arg",
                  "a",
                  "--arg",
                  "b",
                  "--env",
                  "K=V",
                  "--file",
                  "h:/g",
                  "--dir",
                  "d:/dd",
                  "--program-path",
                  "/usr/bin/p",
                  "--cwd",
                  "/tmp",
                  "--set",
                  "en1.ipaddr=10.0.0.2",
                  "--size",
                  "64M",
                  "--seed",
                  "s",
                  "--noaslr",
                  "--no-debug-exit",
                  "--expected-exit-code",
                  "3",
                  "--boot-timing",
                  "--syscall-summary"});
  ASSERT_TRUE(static_cast<bool>(o)) << llvm::toString(o.takeError());
  EXPECT_EQ(o->program, "prog");
  EXPECT_EQ(o->args, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o->env.at("K"), "V");
  EXPECT_EQ(o->files.at(0).host, "h");
  EXPECT_EQ(o->files.at(0).guest, "/g");
  EXPECT_EQ(o->settings.at("en1.ipaddr"), "10.0.0.2");
  EXPECT_EQ(o->settings.at("noaslr"), "t");
  EXPECT_EQ(o->settings.at("boot_timing"), "t");
  EXPECT_EQ(o->settings.at("syscall_summary"), "t");
  EXPECT_EQ(o->settings.at("expected_exit_code"), "3");
  EXPECT_EQ(*o->size, 64ull << 20);
  EXPECT_FALSE(o->debugExit);
}

TEST(BuildOptions, NetworkOptions) {
  auto o = parse({"prog", "-o", "x", "--ipaddr", "192.168.1.10", "--netmask", "255.255.255.0",
                  "--gateway", "192.168.1.1", "--nameserver", "192.168.1.53", "--nameserver",
                  "1.1.1.1"});
  ASSERT_TRUE(static_cast<bool>(o)) << llvm::toString(o.takeError());
  EXPECT_EQ(o->settings.at("ipaddr"), "192.168.1.10"); // Nanos' root keys
  EXPECT_EQ(o->settings.at("netmask"), "255.255.255.0");
  EXPECT_EQ(o->settings.at("gateway"), "192.168.1.1");
  EXPECT_EQ(o->nameservers, (std::vector<std::string>{"192.168.1.53", "1.1.1.1"}));

  auto bad = parse({"prog", "-o", "x", "--ipaddr", "192.168.1.10", "--gateway", "192.168.10.1"});
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "--gateway '192.168.10.1': not reachable from --ipaddr 192.168.1.10 (outside its "
            "subnet 192.168.1.0/24, the default /24 without --netmask)");
  // A wide mask reaches further: 10.0.0.0/8 holds 10.200.0.1.
  auto wide = parse({"prog", "-o", "x", "--ipaddr", "10.1.2.3", "--netmask", "255.0.0.0",
                     "--gateway", "10.200.0.1"});
  EXPECT_TRUE(static_cast<bool>(wide)) << llvm::toString(wide.takeError());
  for (const char* mask : {"255.255.255.252", "128.0.0.0", "255.255.255.255"}) {
    auto m = parse({"prog", "-o", "x", "--ipaddr", "10.1.2.1", "--netmask", mask});
    EXPECT_TRUE(static_cast<bool>(m)) << mask << ": " << llvm::toString(m.takeError());
  }
  for (const char* mask : {"255.255.255.253", "0.255.255.255", "255.128.255.0"}) {
    auto m = parse({"prog", "-o", "x", "--ipaddr", "10.1.2.1", "--netmask", mask});
    ASSERT_FALSE(static_cast<bool>(m)) << mask;
    EXPECT_NE(llvm::toString(m.takeError()).find("not a netmask"), std::string::npos);
  }
}

TEST(BuildOptions, UsageErrors) {
  for (auto args : std::vector<std::vector<std::string>>{{"prog"},
                                                         {"-o", "x"},
                                                         {"p", "-o", "x", "--bogus"},
                                                         {"p", "-o", "x", "--env", "NOEQ"},
                                                         {"p", "-o", "x", "--file", "nocolon"},
                                                         {"p", "-o"}}) {
    auto o = parse(args);
    EXPECT_FALSE(static_cast<bool>(o));
    if (!o) {
      EXPECT_TRUE(o.errorIsA<UsageError>());
    }
    llvm::consumeError(o.takeError());
  }
}

TEST(BuildOptions, UefiLayoutFromTheCommandLineAndTheConfig) {
  auto plain = parse({"p", "-o", "x.img"});
  ASSERT_TRUE(static_cast<bool>(plain));
  EXPECT_FALSE(plain->uefi); // BIOS-only by default
  auto o = parse({"p", "-o", "x.img", "--uefi", "--uefi-loader", "/l/BOOTX64.EFI"});
  ASSERT_TRUE(static_cast<bool>(o)) << llvm::toString(o.takeError());
  EXPECT_TRUE(o->uefi);
  EXPECT_EQ(o->uefiLoader, "/l/BOOTX64.EFI");

  char dir[] = "/tmp/mkimage-config-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string cfg = std::string(dir) + "/config.json";
  std::ofstream(cfg) << R"({"Program": "p", "Uefi": true, "UefiLoader": "efi/loader.efi"})";
  auto c = parse({"-c", cfg, "-o", "x.img"});
  ASSERT_TRUE(static_cast<bool>(c)) << llvm::toString(c.takeError());
  EXPECT_TRUE(c->uefi);
  EXPECT_EQ(c->uefiLoader, std::string(dir) + "/efi/loader.efi");
  std::ofstream(cfg) << R"({"Program": "p", "Uefi": "yes"})";
  EXPECT_FALSE(static_cast<bool>(parse({"-c", cfg, "-o", "x.img"})));
  unlink(cfg.c_str());
  rmdir(dir);
}

TEST(BuildOptions, ConfigFilePathsAreRelativeToTheFile) {
  char dir[] = "/tmp/mkimage-config-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string cfg = std::string(dir) + "/config.json";
  std::ofstream(cfg) << R"({"Program": "bin/hello", "Args": ["x"], "Env": {"A": "1"},
      "Files": ["data/a.txt", "b.txt:/etc/b"], "MapDirs": {"assets": "/srv"},
      "RunConfig": {"IPAddress": "10.0.2.15"}, "ManifestPassthrough": {"en1": {"mtu": "1400"}},
      "BootTiming": true, "SyscallSummary": true, "NoAslr": false, "Output": "out.img",
      "NameServers": ["10.0.2.3", "9.9.9.9"]})";
  auto o = parse({"-c", cfg});
  ASSERT_TRUE(static_cast<bool>(o)) << llvm::toString(o.takeError());
  EXPECT_EQ(o->program, std::string(dir) + "/bin/hello");
  EXPECT_EQ(o->files.at(0).host, std::string(dir) + "/data/a.txt");
  EXPECT_EQ(o->files.at(0).guest, "/data/a.txt");
  EXPECT_EQ(o->files.at(1).guest, "/etc/b");
  EXPECT_EQ(o->dirs.at(0).guest, "/srv");
  EXPECT_EQ(o->settings.at("ipaddr"), "10.0.2.15");
  EXPECT_EQ(o->settings.at("en1.mtu"), "1400");
  EXPECT_EQ(o->settings.at("boot_timing"), "t");
  EXPECT_EQ(o->settings.at("syscall_summary"), "t");
  EXPECT_EQ(o->settings.count("noaslr"), 0u);
  EXPECT_EQ(o->nameservers, (std::vector<std::string>{"10.0.2.3", "9.9.9.9"}));

  std::ofstream(cfg) << R"({"Program": "p", "Bogus": 1})";
  auto bad = parse({"-c", cfg, "-o", "x"});
  ASSERT_FALSE(static_cast<bool>(bad));
  std::string msg = llvm::toString(bad.takeError());
  EXPECT_NE(msg.find("\"Bogus\""), std::string::npos) << msg;
  EXPECT_NE(msg.find(cfg), std::string::npos) << msg;
  unlink(cfg.c_str());
  rmdir(dir);
}

} // namespace
} // namespace mkimage
