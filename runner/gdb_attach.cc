#include "gdb_attach.h"

#include "exit_status.h"
#include "qemu_command.h"
#include "supervisor.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace runner {
namespace {

llvm::Error fail(const std::string& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(value));
  return buf;
}

// gdb's command files take a file name as the rest of the line; quoting it keeps spaces.
std::string gdbQuoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

bool readAt(int fd, uint64_t offset, void* out, size_t size) {
  return ::pread(fd, out, size, static_cast<off_t>(offset)) == static_cast<ssize_t>(size);
}

// fork + exec with the child in its own process group (the terminal's Ctrl-C goes to gdb,
// which stops the guest, not to QEMU) and killed if nanos-run dies. stdinNull: the child
// reads /dev/null (QEMU's serial console must not compete with gdb for the keyboard).
pid_t spawn(const std::vector<std::string>& argv, bool ownGroup, bool stdinNull) {
  std::vector<char*> cargv;
  for (const std::string& a : argv)
    cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid != 0)
    return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent)
    ::_exit(127);
  if (ownGroup)
    ::setpgid(0, 0);
  if (stdinNull) {
    int fd = ::open("/dev/null", O_RDONLY);
    if (fd >= 0)
      ::dup2(fd, STDIN_FILENO);
  }
  ::signal(SIGINT, SIG_DFL);
  ::execv(cargv[0], cargv.data());
  std::fprintf(stderr, "nanos-run: cannot start %s: %s\n", cargv[0], std::strerror(errno));
  ::_exit(127);
}

void stopProcess(pid_t pid) {
  if (::waitpid(pid, nullptr, WNOHANG) != 0)
    return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 40; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) != 0)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

// Writes the gdb command file to $TMPDIR; "" and `error` on failure.
std::string writeCommandFile(const std::string& text, std::string& error) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/nanos-run-XXXXXX.gdb";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkstemps(name.data(), 4);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    error = "cannot write the gdb command file " + pattern + ": " + std::strerror(errno);
    if (fd >= 0)
      ::close(fd), ::unlink(name.data());
    return "";
  }
  ::close(fd);
  return name.data();
}

} // namespace

llvm::Expected<ElfLayout> readElfLayout(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail("--symbols '" + path + "': " + std::strerror(errno));
  Elf64_Ehdr eh;
  bool ok = readAt(fd, 0, &eh, sizeof eh) && std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
            eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_machine == EM_X86_64 &&
            (eh.e_type == ET_EXEC || eh.e_type == ET_DYN) && eh.e_phentsize == sizeof(Elf64_Phdr);
  ElfLayout layout;
  bool sawLoad = false;
  for (unsigned i = 0; ok && i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    if (!readAt(fd, eh.e_phoff + uint64_t(i) * sizeof ph, &ph, sizeof ph)) {
      ok = false;
      break;
    }
    if (ph.p_type == PT_LOAD && (!sawLoad || ph.p_vaddr < layout.lowestLoadAddress)) {
      layout.lowestLoadAddress = ph.p_vaddr;
      sawLoad = true;
    } else if (ph.p_type == PT_DYNAMIC) {
      layout.dynamicAddress = ph.p_vaddr;
    }
  }
  ::close(fd);
  if (!ok || !sawLoad)
    return fail("--symbols '" + path + "': not an x86-64 ELF program");
  layout.positionIndependent = eh.e_type == ET_DYN;
  layout.entry = eh.e_entry;
  layout.lowestLoadAddress &= ~uint64_t(0xfff);
  return layout;
}

uint64_t guestLoadBias(const ElfLayout& layout) {
  return layout.positionIndependent ? kGuestPieBase - layout.lowestLoadAddress : 0;
}

std::string buildGdbCommands(const GdbSetup& s) {
  const uint64_t bias = guestLoadBias(s.layout);
  std::string out =
      "# Written by nanos-run --gdb-attach (docs/nanos-run.md, \"Debugging with gdb\").\n"
      "set pagination off\n"
      "set confirm off\n"
      // A library function named before the library is loaded becomes a pending
      // breakpoint, resolved when nanos-gdb.py adds the library's symbols.
      "set breakpoint pending on\n"
      // The guest maps the program's pages on first touch: its read-only data (a format
      // string, say) may not be in memory yet, so gdb reads read-only sections from the file.
      "set trust-readonly-sections on\n";
  // The program is gdb's main symbol file, moved to where the kernel loads it.
  out += "exec-file " + gdbQuoted(s.program) + "\n";
  out += "symbol-file -o " + hex(bias) + " " + gdbQuoted(s.program) + "\n";
  if (!s.kernel.empty()) // linked at its run address: no offset
    out += "add-symbol-file " + gdbQuoted(s.kernel) + "\n";
  out += "source " + s.helperScript + "\n"; // `source` takes the rest of the line as is
  out += "nanos-setup " + hex(s.layout.entry + bias) + " " +
         hex(s.layout.dynamicAddress ? s.layout.dynamicAddress + bias : 0) + " " +
         gdbQuoted(s.sysroot);
  for (const std::string& dir : s.searchDirs)
    out += " " + gdbQuoted(dir);
  out += "\n";
  out += "target remote 127.0.0.1:" + std::to_string(s.port) + "\n";
  return out;
}

std::vector<std::string> buildGdbArgv(const std::string& gdb, const std::string& commandFile,
                                      const std::string& batchFile) {
  std::vector<std::string> argv = {gdb, "-q", "-nx"};
  if (!batchFile.empty())
    argv.push_back("-batch");
  argv.insert(argv.end(), {"-x", commandFile});
  if (!batchFile.empty())
    argv.insert(argv.end(), {"-x", batchFile});
  return argv;
}

namespace {

// An absolute path, so that gdb finds the files whatever its working directory.
std::string absolute(const std::string& path) {
  char buf[PATH_MAX];
  return !path.empty() && ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

bool isRegularFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Whether `mkimage manifest IMAGE` shows the noaslr key; true when it cannot tell.
bool imageHasNoaslr(const std::string& mkimage, const std::string& image) {
  std::string command = shellQuoteCommand({mkimage, "manifest", image}) + " 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return true;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
    text.append(buf, n);
  int status = ::pclose(pipe);
  if (status != 0 || text.empty())
    return true;
  return text.find("noaslr:") != std::string::npos;
}

} // namespace

llvm::Expected<GdbSetup> prepareGdbSetup(const RunOptions& o, const std::string& dataDir,
                                         const std::string& mkimage) {
  GdbSetup s;
  s.program = absolute(o.symbols);
  if (s.program.empty())
    return fail("--gdb-attach with an image needs --symbols PROGRAM (the host file of the "
                "image's program), or give nanos-run the PROGRAM instead of an image");
  auto layout = readElfLayout(s.program);
  if (!layout)
    return layout.takeError();
  s.layout = *layout;
  if (!mkimage.empty() && !imageHasNoaslr(mkimage, o.image))
    return fail("--gdb-attach: '" + o.image + "' was built with ASLR, so the program's " +
                "addresses are not known; rebuild it with nanos-mkimage --noaslr (the " +
                "debug-<name> target's image has it)");
  s.kernel = absolute(!o.kernel.empty() ? o.kernel : dataDir + "/kernel.img");
  if (!isRegularFile(s.kernel))
    s.kernel.clear(); // no kernel symbols, the program's still work
  s.helperScript = absolute(dataDir + "/nanos-gdb.py");
  if (!isRegularFile(s.helperScript))
    return fail("--gdb-attach: " + s.helperScript + " is missing (a broken install?)");
  s.sysroot = o.sysroot.empty() ? "/" : o.sysroot;
  s.searchDirs = o.solibDirs;
  // The program's own directory: libraries beside it ($ORIGIN, or mapped with --file).
  std::string::size_type slash = s.program.find_last_of('/');
  s.searchDirs.push_back(slash == std::string::npos ? "." : s.program.substr(0, slash));
  s.port = o.gdbPort ? *o.gdbPort : pickFreePort();
  if (!s.port)
    return fail("--gdb-attach: no free TCP port on 127.0.0.1 for the gdb stub (use --gdb PORT)");
  return s;
}

uint16_t pickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

int runGdbSession(const RunOptions& o, const std::vector<std::string>& qemuArgv,
                  const GdbSetup& setup) {
  const char* override = std::getenv("NANOS_RUN_GDB");
  std::string gdbName = override && *override ? override : "gdb";
  std::optional<std::string> gdb = findExecutable(gdbName);
  if (!gdb) {
    std::fprintf(stderr, "nanos-run: %s not found (install gdb, or set NANOS_RUN_GDB)\n",
                 gdbName.c_str());
    return kExitQemuMissing;
  }
  std::string error;
  std::string commands = writeCommandFile(buildGdbCommands(setup), error);
  if (commands.empty()) {
    std::fprintf(stderr, "nanos-run: error: %s\n", error.c_str());
    return kExitUsage;
  }
  std::fflush(stdout);
  // While gdb runs, Ctrl-C is gdb's (it stops the guest); nanos-run only waits.
  struct sigaction ignore = {};
  struct sigaction oldInt = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ignore, &oldInt);
  int status = 0, result = -1;
  pid_t qemu = spawn(qemuArgv, true, true);
  pid_t debugger = qemu > 0 ? spawn(buildGdbArgv(*gdb, commands, o.gdbBatch), false, false) : -1;
  if (debugger < 0) {
    std::fprintf(stderr, "nanos-run: cannot start QEMU and gdb: %s\n", std::strerror(errno));
    result = kExitQemuFailed;
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration<double>(o.timeoutSeconds.value_or(0));
  while (result < 0) {
    pid_t done = ::waitpid(debugger, &status, o.timeoutSeconds ? WNOHANG : 0);
    if (done == debugger)
      result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    else if (done < 0 && errno != EINTR)
      result = kExitQemuFailed;
    else if (o.timeoutSeconds && std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr,
                   "nanos-run: timeout: the gdb session was still running after %g s; "
                   "stopped it\n",
                   *o.timeoutSeconds);
      stopProcess(debugger);
      result = kExitTimeout;
    } else if (done == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (qemu > 0)
    stopProcess(qemu);
  ::sigaction(SIGINT, &oldInt, nullptr);
  ::unlink(commands.c_str());
  return result;
}

} // namespace runner
