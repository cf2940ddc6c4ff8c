// Regression tests of issue 15 ("nanos-mkimage never writes an image that cannot boot, never
// clobbers what it must not, and never leaves a stale output"): the tool runs in a subprocess
// and each test feeds it one of the inputs that used to get through.
#include "image_test_util.h"
#include "reader/image_reader.h"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace imagetest;

namespace {

class BuildHardening : public ::testing::Test {
protected:
  void SetUp() override {
    boot = dir / "boot.img";
    kernel = dir / "kernel.img";
    writeFakeBootImage(boot);
    writeFakeKernel(kernel);
    out = dir / "out";
    makeDirs(out);
  }
  std::vector<std::string> base(const std::string& image) {
    return {"build", HELLO_PROGRAM, "-o", image, "--kernel", kernel, "--boot", boot};
  }
  std::vector<std::string> with(std::vector<std::string> extra) {
    auto args = base(out + "/x.img");
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  // A failure: non-zero exit (not a crash), one line naming `needle`.
  void expectError(const RunResult& r, const std::string& needle) {
    EXPECT_NE(r.status, 0);
    EXPECT_LT(r.status, 128) << "crashed: " << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // ... and `out` holds nothing afterwards.
  void expectCleanFailure(const RunResult& r, const std::string& needle) {
    expectError(r, needle);
    EXPECT_EQ(listDir(out), std::vector<std::string>{}) << "output left behind";
  }
  std::string config(const std::string& json) {
    std::string path = dir / ("c" + std::to_string(configs++) + ".json");
    writeFile(path, json);
    return path;
  }
  ScratchDir dir;
  std::string boot, kernel, out;
  int configs = 0;
};

mode_t modeOf(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? st.st_mode : 0;
}

// Defect 1: an output that exists and is not a regular file is refused, never replaced.
TEST_F(BuildHardening, OutputThatIsNotARegularFileIsRefused) {
  std::string fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  for (const char* option : {"-o", "--bom", "--depfile"}) {
    auto args = std::string(option) == "-o" ? base(fifo) : with({option, fifo});
    expectError(runTool(args), "a FIFO, not a regular file");
    EXPECT_TRUE(S_ISFIFO(modeOf(fifo))) << option << " replaced the FIFO";
  }
  // A device node (as root; elsewhere mknod fails and this part is skipped).
  std::string null = dir / "null";
  if (::mknod(null.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    expectError(runTool(base(null)), "a character device");
    EXPECT_TRUE(S_ISCHR(modeOf(null)));
  }
  // A symbolic link, even to a regular file, is refused (the file replaced is always the one
  // named); the link and its target stay as they were.
  writeFile(dir / "target.img", "old");
  ASSERT_EQ(::symlink("target.img", (dir / "link.img").c_str()), 0);
  expectError(runTool(base(dir / "link.img")), "symbolic link");
  EXPECT_TRUE(S_ISLNK(modeOf(dir / "link.img")));
  EXPECT_EQ(readWhole(dir / "target.img"), "old");
  // A directory.
  expectError(runTool(base(out)), "a directory");
  // Two options naming one file, and an output that is an input.
  expectError(runTool(with({"--bom", out + "/x.img"})), "also given as -o");
  std::string copy = dir / "prog";
  writeFile(copy, readWhole(HELLO_PROGRAM));
  expectError(runTool(with({"--depfile", kernel})), "is the input");
  EXPECT_EQ(modeOf(kernel) & S_IFMT, static_cast<mode_t>(S_IFREG)) << "the kernel was removed";
}

// Defect 7: a failed build leaves no output named by the command, a stale one included.
TEST_F(BuildHardening, FailedBuildRemovesEveryOutput) {
  auto stale = [&] {
    for (const char* name : {"x.img", "x.bom", "x.d"})
      writeFile(out + "/" + name, "stale");
  };
  std::vector<std::string> outputs = {"--bom", out + "/x.bom", "--depfile", out + "/x.d"};
  auto args = [&](std::vector<std::string> extra) {
    auto a = with(outputs);
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  stale();
  expectCleanFailure(runTool(args({"--file", dir / "missing:/m"})), "missing");
  stale();
  expectCleanFailure(runTool(args({"-c", config("{\"Args\": [")})), "invalid JSON");
  stale();
  expectCleanFailure(runTool(args({"--bogus-option"})), "unknown option");
  // Disk full while writing the image.
  stale();
  writeFile(dir / "big", std::string(3 << 20, 'b'));
  RunOptions limited;
  limited.fileSizeLimit = 1 << 20;
  expectCleanFailure(runTool(args({"--file", dir / "big:/big"}), limited), "x.img");
  // A BOM or depfile that cannot be written: no image either.
  writeFile(dir / "plain", "x");
  writeFile(out + "/x.img", "stale");
  expectError(runTool(with({"--bom", dir / "plain/x.bom"})), "plain/x.bom");
  EXPECT_EQ(listDir(out), std::vector<std::string>{}) << "image written without its BOM";
  writeFile(out + "/x.img", "stale");
  expectError(runTool(with({"--depfile", dir / "plain/x.d"})), "plain/x.d");
  EXPECT_EQ(listDir(out), std::vector<std::string>{});
  // Success replaces all three.
  stale();
  RunResult ok = runTool(args({}));
  ASSERT_EQ(ok.status, 0) << ok.err;
  for (const char* name : {"x.img", "x.bom", "x.d"})
    EXPECT_NE(readWhole(out + "/" + name), "stale") << name;
}

// Defect 3: the config's Label goes through the same check as --label.
TEST_F(BuildHardening, ConfigLabelIsCheckedLikeTheOption) {
  expectCleanFailure(runTool(with({"-c", config("{\"Label\": \"" + std::string(32, 'L') + "\"}")})),
                     "at most 31 bytes");
  expectCleanFailure(runTool(with({"-c", config(R"({"Label": "a\u0000b"})")})), "NUL");
  expectCleanFailure(runTool(with({"--label", std::string(32, 'L')})), "at most 31 bytes");
  RunResult ok = runTool(with({"-c", config("{\"Label\": \"" + std::string(31, 'L') + "\"}")}));
  EXPECT_EQ(ok.status, 0) << ok.err;
}

// Defect 4: deeply nested JSON is an error, not a stack overflow (config and BOM).
TEST_F(BuildHardening, DeeplyNestedJsonIsAnErrorNotACrash) {
  std::string deep = "{\"Args\": " + std::string(40000, '[') + std::string(40000, ']') + "}";
  expectCleanFailure(runTool(with({"-c", config(deep)})), "nested more than 100 levels");
  std::string img = dir / "ok.img";
  ASSERT_EQ(runTool(base(img)).status, 0);
  writeFile(dir / "deep.bom", std::string(40000, '['));
  expectError(runTool({"verify", img, dir / "deep.bom"}), "nested more than 100 levels");
  // Brackets inside strings do not count.
  std::string brackets = "{\"Args\": [\"" + std::string(500, '[') + "\"]}";
  EXPECT_EQ(runTool(with({"-c", config(brackets)})).status, 0);
}

// Defect 9: values are checked, not coerced.
TEST_F(BuildHardening, ValuesAreCheckedNotCoerced) {
  expectCleanFailure(runTool(with({"-c", config(R"({"Env": {"A": 5}})")})),
                     "\"Env.A\": expected a string, not a number");
  expectCleanFailure(runTool(with({"-c", config(R"({"Output": 7})")})),
                     "\"Output\": expected a string");
  expectCleanFailure(runTool(with({"-c", config(R"({"ExpectedExitCode": "abc"})")})),
                     "expected an exit status 0-255");
  expectCleanFailure(runTool(with({"-c", config(R"({"ExpectedExitCode": -1})")})),
                     "expected an exit status 0-255");
  expectCleanFailure(runTool(with({"--expected-exit-code", "abc"})), "exit status 0-255");
  expectCleanFailure(runTool(with({"--expected-exit-code", "256"})), "exit status 0-255");
  expectCleanFailure(runTool(with({"--ipaddr", "999.1.1.1"})), "not an IPv4 address");
  expectCleanFailure(runTool(with({"--netmask", "255.0.255.0"})), "not a netmask");
  expectCleanFailure(runTool(with({"-c", config(R"({"Env": {"A\u0000B": "v"}})")})), "NUL");
  expectCleanFailure(runTool(with({"-c", config(R"({"ManifestPassthrough": {"k\u0000": "v"}})")})),
                     "NUL");
  expectCleanFailure(runTool(with({"-c", config(R"({"Argv0": "a\u0000b"})")})), "NUL");
  expectCleanFailure(runTool(with({"-c", config(R"({"ManifestPassthrough": {"k": true}})")})),
                     "must be a string or an object, not a boolean");
  // A key holding a newline is quoted escaped: the error stays one line (found by the fuzzer).
  expectCleanFailure(runTool(with({"-c", config(R"({"Bo\ngus": 1})")})), "\\x0agus");
  // What is documented as "string or number" still takes both.
  RunResult ok = runTool(with({"-c", config(R"({"ExpectedExitCode": 3, "Size": "64M"})"),
                               "--ipaddr", "10.0.2.15", "--netmask", "255.255.255.0"}));
  EXPECT_EQ(ok.status, 0) << ok.err;
}

// Issue 13: the static network configuration and DNS servers are checked as a whole, with one
// line naming the option and the problem, and no image left behind.
TEST_F(BuildHardening, NetworkConfigurationIsConsistent) {
  auto ip = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), {"--ipaddr", "10.0.2.15"});
    return with(extra);
  };
  expectCleanFailure(runTool(ip({"--netmask", "255.255.0.255"})),
                     "--netmask '255.255.0.255': not a netmask (its one bits must be leading)");
  expectCleanFailure(runTool(ip({"--netmask", "0.0.0.0"})), "--netmask '0.0.0.0': a /0 netmask");
  expectCleanFailure(runTool(ip({"--gateway", "10.0.3.1"})),
                     "--gateway '10.0.3.1': not reachable from --ipaddr 10.0.2.15 (outside its "
                     "subnet 10.0.2.0/24, the default /24 without --netmask)");
  expectCleanFailure(runTool(ip({"--netmask", "255.255.255.128", "--gateway", "10.0.2.200"})),
                     "outside its subnet 10.0.2.0/25)");
  expectCleanFailure(runTool(ip({"--gateway", "10.0.2.15"})), "the same as --ipaddr");
  expectCleanFailure(runTool(ip({"--gateway", "10.0.2.255"})),
                     "--gateway '10.0.2.255': the network or broadcast address of 10.0.2.0/24");
  expectCleanFailure(runTool(with({"--gateway", "10.0.2.2"})),
                     "--gateway '10.0.2.2' needs --ipaddr");
  expectCleanFailure(runTool(with({"--netmask", "255.255.255.0"})),
                     "--netmask '255.255.255.0' needs --ipaddr");
  expectCleanFailure(runTool(with({"--ipaddr", "10.0.2.0"})),
                     "--ipaddr '10.0.2.0': the network address of 10.0.2.0/24");
  expectCleanFailure(runTool(with({"--ipaddr", "10.0.2.255"})), "the broadcast address");
  expectCleanFailure(runTool(with({"--ipaddr", "127.0.0.2"})), "a loopback address");
  expectCleanFailure(runTool(with({"--ipaddr", "224.0.0.1"})), "a multicast address");
  expectCleanFailure(runTool(with({"--nameserver", "8.8.8"})),
                     "--nameserver '8.8.8': not an IPv4 address");
  expectCleanFailure(runTool(with({"--nameserver", "255.255.255.255"})), "not a unicast address");
  expectCleanFailure(runTool(with({"--nameserver", "1.1.1.1", "--nameserver", "1.0.0.1",
                                   "--nameserver", "8.8.8.8", "--nameserver", "8.8.4.4"})),
                     "--nameserver: at most 3 servers");
  // The same checks whichever way the values came: the config file (ops' key names) too.
  expectCleanFailure(runTool(with({"-c", config(R"({"RunConfig": {"IPAddress": "192.168.1.10",
                                     "NetMask": "255.255.255.0", "Gateway": "192.168.2.1"}})")})),
                     "--gateway '192.168.2.1': not reachable");
  expectCleanFailure(runTool(with({"-c", config(R"({"NameServers": ["8.8.8.8", 5]})")})),
                     "\"NameServers[1]\": expected a string, not a number");
  // --nameserver writes /etc/resolv.conf: a --file onto it contradicts the option.
  writeFile(dir / "resolv.conf", "nameserver 1.2.3.4\n");
  expectCleanFailure(
      runTool(with({"--nameserver", "9.9.9.9", "--file", dir / "resolv.conf:/etc/resolv.conf"})),
      "guest path /etc/resolv.conf clashes");
  // A /31 (RFC 3021) and /32 have no network or broadcast address; a /30 does.
  RunResult ok = runTool(with({"--ipaddr", "10.9.0.0", "--netmask", "255.255.255.254", "--gateway",
                               "10.9.0.1", "--nameserver", "10.9.0.1"}));
  EXPECT_EQ(ok.status, 0) << ok.err;
  ok = runTool(with({"--ipaddr", "192.168.7.20", "--nameserver", "127.0.0.53"}));
  EXPECT_EQ(ok.status, 0) << ok.err;
}

// Defect 6: paths the kernel cannot open are refused at build time (kernel/lib/path_rules.h).
TEST_F(BuildHardening, PathsTheKernelCannotOpenAreRefused) {
  writeFile(dir / "f", "f");
  expectCleanFailure(runTool(with({"--program-path", "/" + std::string(256, 'p')})),
                     "name too long");
  std::string longPath;
  while (longPath.size() < 4100)
    longPath += "/" + std::string(200, 'd');
  expectCleanFailure(runTool(with({"--file", dir / "f:" + longPath})), "path too long");
  expectCleanFailure(runTool(with({"--cwd", "rel"})), "must be absolute");
  expectCleanFailure(runTool(with({"--cwd", "/a/../b"})), "contains '..'");
  expectCleanFailure(runTool(with({"-c", config(R"({"Cwd": "/a\u0000b"})")})), "NUL");
  expectCleanFailure(runTool(with({"--cwd", "/nowhere"})), "not a directory in the image");
  RunResult ok = runTool(with({"--cwd", "/etc", "--program-path", "/" + std::string(255, 'p')}));
  EXPECT_EQ(ok.status, 0) << ok.err;
}

} // namespace

namespace {

// Defect 2: the writer refuses what the decoder (tfs::kMaxNesting) would refuse at boot,
// naming the path or key; one level less builds and decodes.
TEST_F(BuildHardening, TreesTooDeepForTheDecoderAreRefused) {
  writeFile(dir / "f", "data");
  auto deepFile = [](int components) {
    std::string p;
    for (int i = 1; i < components; ++i)
      p += "/d";
    return p + "/f";
  };
  expectCleanFailure(runTool(with({"--file", dir / "f:" + deepFile(31)})),
                     "guest path /d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/f: "
                     "nested too deeply");
  std::string key = "k";
  for (int i = 0; i < 64; ++i)
    key += ".k";
  expectCleanFailure(runTool(with({"--set", key + "=v"})), "nested too deeply");
  std::string nested = "\"v\"";
  for (int i = 0; i < 65; ++i)
    nested = "{\"k\": " + nested + "}";
  expectCleanFailure(runTool(with({"-c", config("{\"ManifestPassthrough\": " + nested + "}")})),
                     "manifest key k.k.k");
  std::string img = out + "/ok.img";
  auto args = base(img);
  args.insert(args.end(), {"--file", dir / "f:" + deepFile(30)});
  RunResult r = runTool(args);
  ASSERT_EQ(r.status, 0) << r.err;
  auto d = mkimage::reader::decodeImage(img);
  ASSERT_TRUE(static_cast<bool>(d)) << llvm::toString(d.takeError());
  auto data =
      mkimage::reader::readFile(*d, d->root, *mkimage::reader::lookup(d->root.root, deepFile(30)));
  ASSERT_TRUE(static_cast<bool>(data)) << llvm::toString(data.takeError());
  EXPECT_EQ(*data, "data");
}

} // namespace

namespace {

// Defect 5: the kernel and the boot image are checked at build time (stage2 would stop).
TEST_F(BuildHardening, KernelAndBootImageAreChecked) {
  writeFile(dir / "empty", "");
  expectCleanFailure(runTool(with({"--kernel", dir / "empty"})), "not an ELF file (0 bytes)");
  writeFile(
      dir / "text",
      "#!/bin/sh\n# a shell script given as the kernel by mistake\necho this is not a kernel\n");
  expectCleanFailure(runTool(with({"--kernel", dir / "text"})), "no \\x7fELF magic");
  std::string noNote = fakeKernelBytes();
  noNote[176 + 8] = 17; // the note's type: not XEN_ELFNOTE_PHYS32_ENTRY
  writeFile(dir / "nonote", noNote);
  expectCleanFailure(runTool(with({"--kernel", dir / "nonote"})), "no PVH entry note");
  writeFile(dir / "cut", fakeKernelBytes().substr(0, 5000));
  expectCleanFailure(runTool(with({"--kernel", dir / "cut"})), "truncated");
  std::string unsignedBoot = readWhole(boot);
  unsignedBoot[0x1FE] = 0;
  writeFile(dir / "boot-nosig", unsignedBoot);
  expectCleanFailure(runTool(with({"--boot", dir / "boot-nosig"})), "signature 55 AA");
}

// Defect 8: a truncated or malformed program is refused by `build` and by `deps`.
TEST_F(BuildHardening, TruncatedAndMalformedProgramsAreRefused) {
  std::string program = readWhole(HELLO_PROGRAM);
  writeFile(dir / "cut", program.substr(0, 2000));
  ::chmod((dir / "cut").c_str(), 0755);
  auto args = base(out + "/x.img");
  args[1] = dir / "cut";
  expectCleanFailure(runTool(args), "ends past the end of the file");
  expectError(runTool({"deps", dir / "cut"}), "ends past the end of the file");
  // Cut inside the last segment: one byte short of where the last PT_LOAD's file bytes end.
  uint64_t phoff, loadEnd = 0;
  uint16_t phnum;
  std::memcpy(&phoff, &program[32], 8);
  std::memcpy(&phnum, &program[56], 2);
  for (uint16_t i = 0; i < phnum; ++i) {
    uint32_t type;
    uint64_t offset, filesz;
    std::memcpy(&type, &program[phoff + i * 56u], 4);
    std::memcpy(&offset, &program[phoff + i * 56u + 8], 8);
    std::memcpy(&filesz, &program[phoff + i * 56u + 32], 8);
    if (type == 1)
      loadEnd = std::max(loadEnd, offset + filesz);
  }
  ASSERT_GT(loadEnd, 2000u);
  writeFile(dir / "cut1", program.substr(0, loadEnd - 1));
  args[1] = dir / "cut1";
  expectCleanFailure(runTool(args), "ends past the end of the file");
  // PT_INTERP without its NUL: overwrite the NUL that ends the interpreter path.
  size_t interp = program.find("/ld-linux-x86-64.so.2");
  ASSERT_NE(interp, std::string::npos);
  size_t nul = program.find('\0', interp);
  std::string noNul = program;
  noNul[nul] = 'X';
  writeFile(dir / "nonul", noNul);
  args[1] = dir / "nonul";
  expectCleanFailure(runTool(args), "not NUL-terminated");
}

} // namespace

namespace {

void patch(const std::string& path, uint64_t at, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(at)),
            static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

uint32_t read32(const std::string& path, uint64_t at) {
  std::string b = readWhole(path).substr(at, 4);
  uint32_t v;
  std::memcpy(&v, b.data(), 4);
  return v;
}

// Defect 10: without a BOM, verify decodes the whole tree and reads every file.
TEST_F(BuildHardening, VerifyWithoutBomDecodesAndReadsTheTree) {
  writeFile(dir / "payload", std::string(5000, 'p'));
  std::string img = dir / "v.img";
  auto args = base(img);
  args.insert(args.end(), {"--file", dir / "payload:/payload"});
  ASSERT_EQ(runTool(args).status, 0);
  RunResult ok = runTool({"verify", img});
  EXPECT_EQ(ok.status, 0) << ok.err;
  uint64_t root = uint64_t{read32(img, 0x1CE + 8)} * 512;
  // The root's first log extension (block 1) damaged: the headers still look right.
  std::string bad = dir / "badlog.img";
  writeFile(bad, readWhole(img));
  patch(bad, root + 512, std::string(16, '\0'));
  expectError(runTool({"verify", bad}), "root partition");
  // The root partition entry shortened to end inside the data: extents lie outside it.
  std::string shortened = dir / "short.img";
  writeFile(shortened, readWhole(img));
  uint32_t sectors = 1030;
  patch(shortened, 0x1CE + 12, std::string(reinterpret_cast<char*>(&sectors), 4));
  expectError(runTool({"verify", shortened}), "partition");
}

} // namespace

namespace {

// Beyond the list: the content digest (image_digest) is written by default, checked by
// `verify` (as by the kernel at mount) naming the part that changed, and can be left out.
void flipLastByteOf(const std::string& path, const std::string& marker) {
  std::string bytes = readWhole(path);
  size_t at = bytes.find(marker);
  ASSERT_NE(at, std::string::npos) << marker;
  ASSERT_EQ(bytes.find(marker, at + 1), std::string::npos) << marker << " twice";
  bytes[at + marker.size() - 1] ^= 1;
  writeFile(path, bytes);
}

TEST_F(BuildHardening, ImageDigestIsWrittenVerifiedAndOptional) {
  writeFile(dir / "probe.txt", "image-digest-probe-data\n");
  std::string img = dir / "d.img";
  auto args = base(img);
  args.insert(args.end(),
              {"--file", dir / "probe.txt:/probe.txt", "--arg", "digest-probe-argument"});
  ASSERT_EQ(runTool(args).status, 0);
  auto image = mkimage::reader::decodeImage(img);
  ASSERT_TRUE(static_cast<bool>(image)) << llvm::toString(image.takeError());
  const mkimage::reader::Value* key = image->root.root.find("image_digest");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->str.size(), 9u + 32 + 1 + 32);
  EXPECT_EQ(key->str.rfind("xxh3-128:", 0), 0u) << key->str;
  RunResult ok = runTool({"verify", img});
  EXPECT_EQ(ok.status, 0) << ok.err;

  std::string data = dir / "data-flipped.img";
  writeFile(data, readWhole(img));
  flipLastByteOf(data, "image-digest-probe-data");
  expectError(runTool({"verify", data}), "image_digest mismatch in the file data");

  std::string meta = dir / "metadata-flipped.img";
  writeFile(meta, readWhole(img));
  flipLastByteOf(meta, "digest-probe-argument");
  expectError(runTool({"verify", meta}), "image_digest mismatch in the metadata");

  // Left out: by option or config key; then the same damage goes unnoticed by verify.
  std::string plain = dir / "plain.img";
  auto without = base(plain);
  without.insert(without.end(), {"--file", dir / "probe.txt:/probe.txt", "--no-image-digest"});
  ASSERT_EQ(runTool(without).status, 0);
  auto plainImage = mkimage::reader::decodeImage(plain);
  ASSERT_TRUE(static_cast<bool>(plainImage)) << llvm::toString(plainImage.takeError());
  EXPECT_EQ(plainImage->root.root.find("image_digest"), nullptr);
  flipLastByteOf(plain, "image-digest-probe-data");
  RunResult unnoticed = runTool({"verify", plain});
  EXPECT_EQ(unnoticed.status, 0) << unnoticed.err;
  std::string viaConfig = dir / "config.img";
  auto configured = base(viaConfig);
  configured.insert(configured.end(), {"-c", config("{\"NoImageDigest\": true}")});
  ASSERT_EQ(runTool(configured).status, 0);
  auto configuredImage = mkimage::reader::decodeImage(viaConfig);
  ASSERT_TRUE(static_cast<bool>(configuredImage));
  EXPECT_EQ(configuredImage->root.root.find("image_digest"), nullptr);
  // The tool owns the key.
  expectCleanFailure(runTool(with({"--set", "image_digest=x"})), "image_digest");
}

} // namespace
