// nanos-run --gdb-attach: boots the guest stopped under QEMU's gdb stub and starts gdb with
// the kernel's and the program's symbols at their load addresses (docs/nanos-run.md,
// "Debugging with gdb"). The guest must run without ASLR (manifest key noaslr): the
// addresses are then fixed and computed here from the program's ELF headers; the
// libraries' are read at run time from the dynamic loader by nanos-gdb.py.
#pragma once

#include "run_options.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace runner {

// Where the kernel puts a position-independent program when ASLR is off: its lowest
// PT_LOAD address goes to this one (kernel/unix/process/exec.cc kPieBase).
inline constexpr uint64_t kGuestPieBase = 0x400000;

// What gdb needs from the program's ELF headers.
struct ElfLayout {
  bool positionIndependent = false; // ET_DYN
  uint64_t entry = 0;               // e_entry, as linked
  uint64_t lowestLoadAddress = 0;   // the lowest PT_LOAD p_vaddr, page-aligned down
  uint64_t dynamicAddress = 0;      // PT_DYNAMIC p_vaddr; 0 for a static program
};

llvm::Expected<ElfLayout> readElfLayout(const std::string& path);

// How far the kernel moves the program with ASLR off (0 for ET_EXEC).
uint64_t guestLoadBias(const ElfLayout& layout);

struct GdbSetup {
  std::string program;                 // host copy of the program (symbols)
  ElfLayout layout;                    // of `program`
  std::string kernel;                  // the kernel ELF (symbols); "" to skip
  std::string helperScript;            // nanos-gdb.py
  std::string sysroot = "/";           // host tree the image's libraries came from
  std::vector<std::string> searchDirs; // more directories to find libraries in, by name
  uint16_t port = 0;                   // QEMU's gdb stub on 127.0.0.1
};

// The gdb command file that loads the symbols and connects to the stub.
std::string buildGdbCommands(const GdbSetup& setup);

// gdb's command line: the command file, then the user's batch file (--gdb-batch) if any.
std::vector<std::string> buildGdbArgv(const std::string& gdb, const std::string& commandFile,
                                      const std::string& batchFile);

// Runs the session: QEMU (qemuArgv, which has -gdb and -S) in the background with no
// terminal input, gdb in the foreground; when gdb exits QEMU is stopped. Returns gdb's exit
// status, kExitTimeout when o.timeoutSeconds passed first, or a usage/QEMU error status
// (with a message on stderr).
int runGdbSession(const RunOptions& o, const std::vector<std::string>& qemuArgv,
                  const GdbSetup& setup);

// The session's setup from the options: o.symbols (or, in PROGRAM mode, the program), the
// kernel (o.kernel or <data dir>/kernel.img), nanos-gdb.py from the data dir, a free port
// unless o.gdbPort. checkImageManifest: refuse an image built with ASLR (its manifest,
// read with `mkimage manifest`, lacks noaslr) when mkimage is given.
llvm::Expected<GdbSetup> prepareGdbSetup(const RunOptions& o, const std::string& dataDir,
                                         const std::string& mkimage);

// A TCP port on 127.0.0.1 that was free a moment ago (0 if none could be found).
uint16_t pickFreePort();

} // namespace runner
