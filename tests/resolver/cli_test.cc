// `nanos-mkimage deps` on bad input: one-line error, non-zero exit, nothing on stdout, no
// crash (the asan preset runs these too). Also the output formats and the depfile.
#include "test_support.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <elf.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace resolver_test;
using testing::HasSubstr;
using testing::StartsWith;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs `deps` and checks the failure contract; returns the error line.
std::string depsFails(const std::vector<std::string>& args, int status = 1) {
  std::vector<std::string> argv = {NANOS_MKIMAGE, "deps"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = run(argv);
  EXPECT_EQ(r.status, status) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith("nanos-mkimage deps: error: "));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  return r.err;
}

class DepsCli : public testing::Test {
protected:
  void SetUp() override {
    app_ = dir_ / "app";
    ASSERT_EQ(program(app_, {}, {}), "");
  }
  ScratchDir dir_;
  std::string app_;
};

TEST_F(DepsCli, NonElfFile) {
  writeFile(dir_ / "script", "#!/bin/sh\necho hello\n");
  EXPECT_THAT(depsFails({dir_ / "script"}), HasSubstr(dir_ / "script" + ": file too short"));
  writeFile(dir_ / "text", std::string(200, 'x'));
  EXPECT_THAT(depsFails({dir_ / "text"}), HasSubstr("invalid ELF header (not an ELF file)"));
}

TEST_F(DepsCli, TruncatedElf) {
  std::string bytes = readFile(app_);
  writeFile(dir_ / "trunc64", bytes.substr(0, 64)); // header only: program headers missing
  EXPECT_THAT(depsFails({dir_ / "trunc64"}), HasSubstr(dir_ / "trunc64" + ": "));
  writeFile(dir_ / "trunc20", bytes.substr(0, 20));
  EXPECT_THAT(depsFails({dir_ / "trunc20"}), HasSubstr("file too short"));
  writeFile(dir_ / "trunchalf", bytes.substr(0, bytes.size() / 4));
  depsFails({dir_ / "trunchalf"});
}

TEST_F(DepsCli, Elf32) {
  std::string h(64, '\0');
  const char ident[] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
  h.replace(0, sizeof ident, ident, sizeof ident);
  h[16] = 2, h[18] = 3, h[20] = 1; // ET_EXEC, EM_386, EV_CURRENT
  writeFile(dir_ / "elf32", h);
  EXPECT_THAT(depsFails({dir_ / "elf32"}), HasSubstr("not an x86-64 program (32-bit ELF)"));
}

// Rewrites the first dynamic entry with `tag` in a copy of the fixture program.
std::string withDynamicEntry(const std::string& bytes, int64_t tag, uint64_t value) {
  std::string out = bytes;
  Elf64_Ehdr eh;
  memcpy(&eh, out.data(), sizeof eh);
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    memcpy(&ph, out.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_DYNAMIC)
      continue;
    for (uint64_t off = ph.p_offset; off + sizeof(Elf64_Dyn) <= ph.p_offset + ph.p_filesz;
         off += sizeof(Elf64_Dyn)) {
      Elf64_Dyn d;
      memcpy(&d, out.data() + off, sizeof d);
      if (d.d_tag == tag) {
        d.d_un.d_val = value;
        memcpy(out.data() + off, &d, sizeof d);
        return out;
      }
    }
  }
  ADD_FAILURE() << "no dynamic entry with tag " << tag;
  return out;
}

TEST_F(DepsCli, CorruptDynamicSection) {
  std::string bytes = readFile(app_);
  writeFile(dir_ / "badneeded", withDynamicEntry(bytes, DT_NEEDED, 0x7fffffff));
  EXPECT_THAT(depsFails({dir_ / "badneeded"}),
              HasSubstr("corrupt dynamic section: string offset 2147483647"));
  writeFile(dir_ / "badstrtab", withDynamicEntry(bytes, DT_STRTAB, 0xdead0000));
  EXPECT_THAT(depsFails({dir_ / "badstrtab"}), HasSubstr("corrupt dynamic section: DT_STRTAB"));
  writeFile(dir_ / "badstrsz", withDynamicEntry(bytes, DT_STRSZ, uint64_t(1) << 40));
  EXPECT_THAT(depsFails({dir_ / "badstrsz"}), HasSubstr("corrupt dynamic section"));
}

TEST_F(DepsCli, Directory) {
  EXPECT_THAT(depsFails({dir_.path()}), HasSubstr(dir_.path() + ": cannot read"));
}

TEST_F(DepsCli, FileThatCannotBeOpened) {
  EXPECT_THAT(depsFails({dir_ / "missing"}), HasSubstr(dir_ / "missing" + ": cannot read"));
  symlinkTo(dir_ / "nowhere", dir_ / "dangling");
  EXPECT_THAT(depsFails({dir_ / "dangling"}), HasSubstr(dir_ / "dangling" + ": cannot read"));
  EXPECT_THAT(depsFails({app_ + "/sub"}), HasSubstr("Not a directory"));
  symlinkTo("loop", dir_ / "loop");
  EXPECT_THAT(depsFails({dir_ / "loop"}), HasSubstr("Too many levels of symbolic links"));
}

TEST_F(DepsCli, SpecialFiles) {
  EXPECT_THAT(depsFails({"/dev/zero"}), HasSubstr("/dev/zero: cannot read: not a regular file"));
  std::string fifo = dir_ / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THAT(depsFails({fifo}), HasSubstr("not a regular file"));
}

TEST_F(DepsCli, UnreadableFile) {
  if (geteuid() == 0)
    GTEST_SKIP() << "running as root: permission bits cannot make a file unreadable; "
                    "FileThatCannotBeOpened covers failing opens";
  std::string copy = dir_ / "noread";
  std::filesystem::copy_file(app_, copy);
  std::filesystem::permissions(copy, std::filesystem::perms::none);
  EXPECT_THAT(depsFails({copy}), HasSubstr("Permission denied"));
}

TEST_F(DepsCli, BadLibraryFoundOnTheWayIsAnError) {
  // ld.so stops with "invalid ELF header" when a search hit is not ELF (a linker script).
  ASSERT_EQ(sharedLibrary(dir_ / "lib/libscript.so", "libscript.so", "s", {}), "");
  std::string user = dir_ / "user";
  ASSERT_EQ(program(user, {"s"}, {dir_ / "lib/libscript.so"},
                    {"-Wl,--disable-new-dtags", "-Wl,-rpath," + dir_.path() + "/lib"}),
            "");
  writeFile(dir_ / "lib/libscript.so",
            "/* GNU ld script */\nINPUT(libother.so)\n" + std::string(40, ' '));
  EXPECT_THAT(depsFails({user, "--program-path", user}),
              HasSubstr(dir_ / "lib/libscript.so" + ": invalid ELF header"));
}

TEST_F(DepsCli, UsageErrors) {
  depsFails({}, 2);
  depsFails({app_, "--bogus"}, 2);
  depsFails({app_, "--sysroot"}, 2);
  depsFails({app_, "--env", "NOEQUALS"}, 2);
  depsFails({app_, "--program-path", "relative"}, 2);
  depsFails({app_, app_}, 2);
  EXPECT_THAT(depsFails({app_, "--sysroot", dir_ / "nosuchroot"}),
              HasSubstr("sysroot " + dir_ / "nosuchroot" + ": not a directory"));
}

TEST_F(DepsCli, HumanJsonAndDepfile) {
  CommandResult human = run({NANOS_MKIMAGE, "deps", app_, "--no-nss"});
  ASSERT_EQ(human.status, 0) << human.err;
  EXPECT_THAT(human.out, HasSubstr("/libc.so.6  <- "));
  EXPECT_THAT(human.out, HasSubstr("(needed by program)"));
  EXPECT_THAT(human.out, HasSubstr("/lib64/ld-linux-x86-64.so.2  -> "));

  std::string depfile = dir_ / "out.d";
  CommandResult json = run({NANOS_MKIMAGE, "deps", app_, "--json", "--nss", "--depfile", depfile,
                            "--depfile-target", "image.img"});
  ASSERT_EQ(json.status, 0) << json.err;
  EXPECT_THAT(json.out, StartsWith("{"));
  EXPECT_THAT(json.out, HasSubstr("\"kind\": \"generated\""));
  EXPECT_THAT(json.out, HasSubstr("\"guestPath\": \"/etc/nsswitch.conf\""));
  EXPECT_THAT(json.out, HasSubstr("\"openedPath\": \"/lib64/ld-linux-x86-64.so.2\""));
  std::string deps = readFile(depfile);
  EXPECT_THAT(deps, StartsWith("image.img:"));
  EXPECT_THAT(deps, HasSubstr(app_));
  EXPECT_THAT(deps, HasSubstr("/usr/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_THAT(deps, HasSubstr("/etc/ld.so.cache"));

  // A failed run writes no depfile.
  std::filesystem::remove(depfile);
  depsFails({dir_ / "missing", "--depfile", depfile});
  EXPECT_FALSE(std::filesystem::exists(depfile));
}

} // namespace
