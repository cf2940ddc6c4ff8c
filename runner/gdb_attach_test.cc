#include "gdb_attach.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <elf.h>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace runner {
namespace {

// A minimal ELF file: a header and program headers, nothing else (all readElfLayout reads).
std::string writeElf(uint16_t type, uint64_t entry, const std::vector<Elf64_Phdr>& phdrs) {
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = type;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_entry = entry;
  eh.e_phoff = sizeof eh;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = static_cast<uint16_t>(phdrs.size());
  char name[] = "/tmp/gdb_attach_test-XXXXXX";
  int fd = ::mkstemp(name);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, &eh, sizeof eh), static_cast<ssize_t>(sizeof eh));
  for (const Elf64_Phdr& ph : phdrs)
    EXPECT_EQ(::write(fd, &ph, sizeof ph), static_cast<ssize_t>(sizeof ph));
  ::close(fd);
  return name;
}

Elf64_Phdr segment(uint32_t type, uint64_t vaddr) {
  Elf64_Phdr ph{};
  ph.p_type = type;
  ph.p_vaddr = vaddr;
  return ph;
}

TEST(GdbAttach, PieProgramMovesToTheKernelsBase) {
  std::string path = writeElf(ET_DYN, 0x1060,
                              {segment(PT_LOAD, 0x1000), segment(PT_LOAD, 0),
                               segment(PT_DYNAMIC, 0x3dc0), segment(PT_LOAD, 0x3db0)});
  auto layout = readElfLayout(path);
  ::unlink(path.c_str());
  ASSERT_TRUE(static_cast<bool>(layout)) << llvm::toString(layout.takeError());
  EXPECT_TRUE(layout->positionIndependent);
  EXPECT_EQ(layout->lowestLoadAddress, 0u);
  EXPECT_EQ(layout->dynamicAddress, 0x3dc0u);
  EXPECT_EQ(guestLoadBias(*layout), kGuestPieBase);

  GdbSetup s;
  s.program = "/build/my app";
  s.layout = *layout;
  s.kernel = "/share/kernel.img";
  s.helperScript = "/share/nanos-gdb.py";
  s.searchDirs = {"/build"};
  s.port = 1234;
  std::string text = buildGdbCommands(s);
  for (const char* line :
       {"exec-file \"/build/my app\"\n", "symbol-file -o 0x400000 \"/build/my app\"\n",
        "add-symbol-file \"/share/kernel.img\"\n", "source /share/nanos-gdb.py\n",
        "nanos-setup 0x401060 0x403dc0 \"/\" \"/build\"\n", "target remote 127.0.0.1:1234\n",
        "set breakpoint pending on\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << " not in:\n" << text;
  // The helper is loaded and set up before the connection.
  EXPECT_LT(text.find("nanos-setup"), text.find("target remote"));
}

TEST(GdbAttach, StaticProgramStaysWhereItIsLinked) {
  std::string path =
      writeElf(ET_EXEC, 0x401bc0, {segment(PT_LOAD, 0x400000), segment(PT_LOAD, 0x401000)});
  auto layout = readElfLayout(path);
  ::unlink(path.c_str());
  ASSERT_TRUE(static_cast<bool>(layout)) << llvm::toString(layout.takeError());
  EXPECT_FALSE(layout->positionIndependent);
  EXPECT_EQ(guestLoadBias(*layout), 0u);
  GdbSetup s;
  s.program = "app";
  s.layout = *layout;
  s.helperScript = "h.py";
  s.port = 9;
  std::string text = buildGdbCommands(s);
  EXPECT_NE(text.find("symbol-file -o 0 \"app\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("nanos-setup 0x401bc0 0 \"/\"\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("add-symbol-file"), std::string::npos) << "no kernel given:\n" << text;
}

TEST(GdbAttach, RejectsWhatIsNotAProgram) {
  char name[] = "/tmp/gdb_attach_test-XXXXXX";
  int fd = ::mkstemp(name);
  ASSERT_EQ(::write(fd, "text", 4), 4);
  ::close(fd);
  auto layout = readElfLayout(name);
  ::unlink(name);
  ASSERT_FALSE(static_cast<bool>(layout));
  EXPECT_NE(llvm::toString(layout.takeError()).find("not an x86-64 ELF program"),
            std::string::npos);
  auto missing = readElfLayout("/nonexistent/program");
  ASSERT_FALSE(static_cast<bool>(missing));
  EXPECT_NE(llvm::toString(missing.takeError()).find("No such file"), std::string::npos);
}

TEST(GdbAttach, BatchFileMakesGdbNonInteractive) {
  EXPECT_EQ(buildGdbArgv("/usr/bin/gdb", "setup.gdb", ""),
            (std::vector<std::string>{"/usr/bin/gdb", "-q", "-nx", "-x", "setup.gdb"}));
  EXPECT_EQ(buildGdbArgv("gdb", "setup.gdb", "mine.gdb"),
            (std::vector<std::string>{"gdb", "-q", "-nx", "-batch", "-x", "setup.gdb", "-x",
                                      "mine.gdb"}));
}

TEST(GdbAttach, OptionsNeedGdbAttach) {
  auto o = parseRunOptions({"app.img", "--gdb-attach", "--symbols", "app", "--sysroot", "/sr",
                            "--solib-dir", "/a", "--solib-dir", "/b", "--gdb-batch", "x.gdb"});
  ASSERT_TRUE(static_cast<bool>(o)) << llvm::toString(o.takeError());
  EXPECT_TRUE(o->gdbAttach);
  EXPECT_EQ(o->symbols, "app");
  EXPECT_EQ(o->sysroot, "/sr");
  EXPECT_EQ(o->solibDirs, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(o->gdbBatch, "x.gdb");
  for (auto args :
       std::vector<std::vector<std::string>>{{"app.img", "--symbols", "app"},
                                             {"app.img", "--gdb-batch", "x.gdb"},
                                             {"app.img", "--gdb-attach", "--hypervisor", "xen"},
                                             {"app.img", "--gdb-attach", "--dry-run"},
                                             {"app.img", "--gdb-attach=1"}}) {
    auto bad = parseRunOptions(args);
    EXPECT_FALSE(static_cast<bool>(bad)) << args[1];
    if (!bad)
      llvm::consumeError(bad.takeError());
  }
}

TEST(GdbAttach, FreePortIsAPort) {
  EXPECT_NE(pickFreePort(), 0);
}

} // namespace
} // namespace runner
