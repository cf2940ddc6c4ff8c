#include "run.h"

#include "decompress.h"
#include "exit_status.h"
#include "gdb_attach.h"
#include "program_image.h"
#include "qemu_command.h"
#include "run_options.h"
#include "supervisor.h"
#include "xen_run.h"
#include "xl_config.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef UNIKERNEL_VERSION
#define UNIKERNEL_VERSION "unknown"
#endif

namespace runner {
namespace {

int report(int status, const std::string& message) {
  std::fprintf(stderr, "nanos-run: %s\n", message.c_str());
  return status;
}

std::string errnoText(int e) {
  return std::strerror(e);
}

// Checks that path names a readable regular file; returns an error line or "".
std::string checkInputFile(const std::string& what, const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return what + " '" + path + "': " + errnoText(errno);
  if (!S_ISREG(st.st_mode))
    return what + " '" + path + "': not a regular file";
  if (::access(path.c_str(), R_OK) != 0)
    return what + " '" + path + "': " + errnoText(errno);
  return "";
}

std::string absolutePath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf))
    return buf;
  return path;
}

bool hasSuffix(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), std::string::npos, suffix) == 0;
}

// Whether KVM can be used: the device opens read-write (what QEMU needs).
bool kvmUsable(std::string& why) {
  int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    why = errnoText(errno);
    return false;
  }
  ::close(fd);
  return true;
}

// The exit channel's contents: one short record, or nothing.
std::string readSmallFile(const std::string& path) {
  std::string text;
  if (path.empty())
    return text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return text;
  char buf[4096];
  ssize_t n;
  while (text.size() < 65536 && (n = ::read(fd, buf, sizeof buf)) > 0)
    text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

std::string tempDir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

// An empty private file for QEMU to write the exit channel to; "" (and a notice) if none
// can be made: the run then falls back to isa-debug-exit's 7 bits.
std::string createExitChannelFile(const RunOptions& o) {
  std::string pattern = tempDir() + "/nanos-run-XXXXXX.exit";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkstemps(name.data(), 5);
  if (fd < 0) {
    if (!o.quiet)
      std::fprintf(stderr,
                   "nanos-run: cannot create %s (%s): statuses 128-255 will come back modulo "
                   "128\n",
                   pattern.c_str(), errnoText(errno).c_str());
    return "";
  }
  ::close(fd);
  return name.data();
}

// Maps what happened to the hypervisor process onto nanos-run's status (+ stderr line).
int finish(const SupervisedExit& r, const std::string& tool, const RunOptions& o,
           const std::string& exitChannelPath = "") {
  switch (r.kind) {
  case SupervisedExit::SpawnFailed:
    if (r.spawnErrno == ENOENT)
      return report(kExitQemuMissing, tool + ": " + errnoText(r.spawnErrno));
    return report(kExitQemuFailed, "cannot start " + tool + ": " + errnoText(r.spawnErrno));
  case SupervisedExit::TimedOut:
    return report(kExitTimeout, "timeout: the guest was still running after " +
                                    formatSeconds(*o.timeoutSeconds) + " s; stopped it");
  case SupervisedExit::Interrupted:
    return report(128 + r.signal, "interrupted by " + signalName(r.signal) + "; stopped the VM");
  case SupervisedExit::Killed:
    return report(kExitQemuFailed, tool + " was killed by " + signalName(r.signal));
  case SupervisedExit::Exited:
    break;
  }
  GuestOutcome g =
      mapGuestExit(r.code, r.stderrHadError, parseExitRecord(readSmallFile(exitChannelPath)));
  if (!g.message.empty())
    return report(g.status, g.message);
  return g.status;
}

// OVMF from Debian's ovmf package; NANOS_RUN_OVMF_CODE / NANOS_RUN_OVMF_VARS name others.
constexpr const char* kOvmfCode = "/usr/share/OVMF/OVMF_CODE.fd";
constexpr const char* kOvmfVars = "/usr/share/OVMF/OVMF_VARS.fd";

std::string ovmfPath(const char* variable, const char* fallback) {
  const char* v = std::getenv(variable);
  return v && *v ? v : fallback;
}

// Whether a raw image's MBR starts with an EFI system partition (nanos-mkimage --uefi).
bool hasEsp(const std::string& image) {
  int fd = ::open(image.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  unsigned char mbr[512];
  ssize_t n = ::pread(fd, mbr, sizeof mbr, 0);
  ::close(fd);
  return n == 512 && mbr[0x1FE] == 0x55 && mbr[0x1FF] == 0xAA && mbr[0x1BE + 4] == 0xEF;
}

std::string copyToTemp(const std::string& image, std::string& error); // below

// --firmware uefi: checks OVMF and the image, and makes the run's private variable store.
// Returns an error line or "".
std::string prepareUefi(RunOptions& o) {
  o.ovmfCode = ovmfPath("NANOS_RUN_OVMF_CODE", kOvmfCode);
  std::string vars = ovmfPath("NANOS_RUN_OVMF_VARS", kOvmfVars);
  for (const std::string& f : {o.ovmfCode, vars})
    if (::access(f.c_str(), R_OK) != 0)
      return "--firmware uefi: OVMF firmware " + f + " is missing (apt-get install ovmf)";
  if (o.imageFormat == "raw" && !hasEsp(o.image))
    return "--firmware uefi: '" + o.image +
           "' has no EFI system partition (build it with nanos-mkimage build --uefi)";
  std::string error;
  o.ovmfVars = copyToTemp(vars, error);
  return error;
}

// gdb: --gdb-attach's setup; QEMU then runs behind gdb (runGdbSession).
int runQemu(const RunOptions& o, const GdbSetup* gdb = nullptr) {
  const char* override = std::getenv("NANOS_RUN_QEMU");
  std::string qemuName = override && *override ? override : "qemu-system-x86_64";
  std::optional<std::string> qemu = findExecutable(qemuName);

  Accel accel = o.accel;
  if (accel == Accel::Auto) {
    std::string why;
    if (kvmUsable(why)) {
      accel = Accel::Kvm;
    } else {
      accel = Accel::Tcg;
      if (!o.quiet && !o.dryRun)
        std::fprintf(stderr, "nanos-run: /dev/kvm is not usable (%s); using TCG emulation\n",
                     why.c_str());
    }
  }
  if (o.dryRun) {
    // A fixed name stands for the run's private channel file: the command stays
    // copy-pasteable (QEMU creates the file).
    std::string channel = tempDir() + "/nanos-run.exit";
    RunOptions shown = o;
    if (o.firmware == "uefi") {
      shown.ovmfCode = ovmfPath("NANOS_RUN_OVMF_CODE", kOvmfCode);
      shown.ovmfVars = "<private copy of " + ovmfPath("NANOS_RUN_OVMF_VARS", kOvmfVars) + ">";
    }
    std::printf(
        "%s\n",
        shellQuoteCommand(buildQemuArgv(shown, qemu ? *qemu : qemuName, accel, channel)).c_str());
    return 0;
  }
  if (!qemu)
    return report(kExitQemuMissing,
                  qemuName + " not found (install QEMU, e.g. apt-get install qemu-system-x86, "
                             "or set NANOS_RUN_QEMU)");
  RunOptions firmware = o;
  if (o.firmware == "uefi") {
    std::string error = prepareUefi(firmware);
    if (!error.empty())
      return report(kExitUsage, "error: " + error);
  }
  std::string channel = createExitChannelFile(o);
  std::vector<std::string> argv = buildQemuArgv(firmware, *qemu, accel, channel);
  if (gdb) {
    // gdb's own status is the session's: the program's is in gdb's output.
    int status = runGdbSession(o, argv, *gdb);
    if (!channel.empty())
      ::unlink(channel.c_str());
    return status;
  }
  std::fflush(stdout);
  SupervisedExit r = superviseProcess(argv, o.timeoutSeconds, o.quiet);
  int status = finish(r, qemuName, o, channel);
  if (!channel.empty())
    ::unlink(channel.c_str());
  if (!firmware.ovmfVars.empty())
    ::unlink(firmware.ovmfVars.c_str());
  return status;
}

// A private copy of the image for a non-persistent Xen run (xl has no snapshot mode).
std::string copyToTemp(const std::string& image, std::string& error) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/nanos-run-XXXXXX.img";
  std::vector<char> name(path.begin(), path.end());
  name.push_back('\0');
  int out = ::mkstemps(name.data(), 4);
  if (out < 0) {
    error = "cannot create a temporary copy of the image in " + path + ": " + errnoText(errno);
    return "";
  }
  int in = ::open(image.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  bool ok = in >= 0 && ::fstat(in, &st) == 0;
  off_t left = ok ? st.st_size : 0;
  while (ok && left > 0) {
    ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
    if (n <= 0)
      n = ::sendfile(out, in, nullptr, static_cast<size_t>(left));
    ok = n > 0;
    left -= n > 0 ? n : 0;
  }
  int e = errno;
  if (in >= 0)
    ::close(in);
  ::close(out);
  if (!ok) {
    ::unlink(name.data());
    error = "cannot copy the image to " + std::string(name.data()) + ": " + errnoText(e);
    return "";
  }
  return name.data();
}

int runXen(const RunOptions& o, const std::string& selfPath) {
  std::string kernel = o.kernel.empty() ? defaultDataDir(selfPath) + "/kernel.img" : o.kernel;
  if (auto e = checkInputFile("kernel", kernel); !e.empty())
    return report(kExitUsage, "error: " + e + " (pass --kernel ELF)");
  kernel = absolutePath(kernel);
  std::string image = absolutePath(o.image);
  // The domain's name: the image's, plus our pid so that concurrent runs do not collide.
  std::string name = xlGuestName(o.image);
  if (o.dryRun) {
    std::printf("%s", buildXlConfig(o, kernel, image, name).c_str());
    if (!o.persist)
      std::printf(
          "# (a run gives the guest a temporary copy of the image; --persist: the image)\n");
    return 0;
  }
  name += "-" + std::to_string(::getpid());
  const char* override = std::getenv("NANOS_RUN_XL");
  std::string xlName = override && *override ? override : "xl";
  std::optional<std::string> xl = findExecutable(xlName);
  if (!xl)
    return report(kExitQemuMissing,
                  xlName + " not found (install the Xen tools, or set NANOS_RUN_XL)");
  std::string error, disk = image;
  if (!o.persist && (disk = copyToTemp(image, error)).empty())
    return report(kExitUsage, "error: " + error);
  std::string configPath;
  {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/nanos-run-XXXXXX.cfg";
    std::vector<char> path(pattern.begin(), pattern.end());
    path.push_back('\0');
    int fd = ::mkstemps(path.data(), 4);
    std::string text = buildXlConfig(o, kernel, disk, name);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      int e = errno;
      if (fd >= 0)
        ::close(fd), ::unlink(path.data());
      if (disk != image)
        ::unlink(disk.c_str());
      return report(kExitUsage, "error: cannot write the xl config: " + errnoText(e));
    }
    ::close(fd);
    configPath = path.data();
  }
  int status = runXlGuest(o, *xl, configPath, name); // xen_run.cc
  ::unlink(configPath.c_str());
  if (disk != image)
    ::unlink(disk.c_str());
  return status;
}

// --net tap:IF names an interface that must exist: QEMU creates a missing one only when it
// runs as root, and then with no address or bridge, so the guest would be cut off silently.
std::string checkTapInterface(const RunOptions& o) {
  if (o.net.mode != NetMode::Tap || o.dryRun || hostInterfaceExists(o.net.tapInterface))
    return "";
  return "--net tap:" + o.net.tapInterface +
         ": no such network interface (create it first, "
         "e.g. ip tuntap add dev " +
         o.net.tapInterface + " mode tap; see tests/net/netns.sh)";
}

// --gdb-attach: QEMU with its gdb stub behind gdb, which has the symbols (gdb_attach.h).
// builtHere: the image was just made with --noaslr, no need to check its manifest.
int runDebug(RunOptions o, const std::string& selfPath, bool builtHere) {
  auto setup = prepareGdbSetup(o, defaultDataDir(selfPath), builtHere ? "" : findMkimage(selfPath));
  if (!setup)
    return report(kExitUsage, "error: " + llvm::toString(setup.takeError()));
  o.gdbPort = setup->port;
  return runQemu(o, &*setup);
}

// nanos-run PROGRAM ...: builds a temporary image of the ELF program, boots it, removes it.
int runProgram(const RunOptions& o, const std::string& selfPath) {
  std::string mkimage = findMkimage(selfPath);
  if (mkimage.empty())
    return report(kExitQemuMissing,
                  "nanos-mkimage not found beside nanos-run or in PATH (needed to run a program)");
  RunOptions boot = o;
  boot.extraQemuArgs.clear(); // after "--" come the program's arguments, not QEMU's
  boot.mkimageArgs.clear();
  RunOptions image = o; // what nanos-mkimage gets
  if (!o.sysroot.empty())
    image.mkimageArgs.insert(image.mkimageArgs.end(), {"--sysroot", o.sysroot});
  if (o.firmware == "uefi") // the temporary image needs the EFI system partition
    image.mkimageArgs.push_back("--uefi");
  if (o.gdbAttach) { // fixed addresses for the debugger; the program has the symbols
    image.mkimageArgs.push_back("--noaslr");
    if (boot.symbols.empty())
      boot.symbols = o.image;
  }
  if (o.dryRun) {
    const std::string shown = "<temporary image>";
    std::printf("%s\n", shellQuoteCommand(mkimageCommand(image, mkimage, shown)).c_str());
    boot.image = shown;
    return o.hypervisor == Hypervisor::Xen ? runXen(boot, selfPath) : runQemu(boot);
  }
  std::string error;
  boot.image = createTemporaryImage(error);
  if (boot.image.empty())
    return report(kExitUsage, "error: " + error);
  std::fflush(stdout);
  SupervisedExit built = superviseProcess(mkimageCommand(image, mkimage, boot.image), std::nullopt);
  int status;
  if (built.kind != SupervisedExit::Exited || built.code != 0)
    status = report(kExitUsage, "error: nanos-mkimage could not make an image of '" + o.image +
                                    "' (its message is above)");
  else if (o.gdbAttach)
    status = runDebug(boot, selfPath, true);
  else
    status = o.hypervisor == Hypervisor::Xen ? runXen(boot, selfPath) : runQemu(boot);
  ::unlink(boot.image.c_str());
  return status;
}

} // namespace

std::string defaultDataDir(const std::string& selfPath) {
  std::string dir = selfPath.substr(0, selfPath.find_last_of('/') + 1);
  if (dir.empty())
    dir = "./";
  return dir + "../share/nanos-unikernel";
}

int runNanos(const std::vector<std::string>& args, const std::string& selfPath) {
  auto parsed = parseRunOptions(args);
  if (!parsed) {
    std::string message = llvm::toString(parsed.takeError());
    return report(kExitUsage, "error: " + message + " (nanos-run --help for usage)");
  }
  const RunOptions& o = *parsed;
  if (o.help) {
    std::printf("%s%s%s", kUsage, kNetUsage, kXenUsage); // net_options.h, xen_options.h
    return 0;
  }
  if (o.version) {
    std::printf("nanos-run %s\n", UNIKERNEL_VERSION);
    return 0;
  }
  if (auto e = checkInputFile("image", o.image); !e.empty())
    return report(kExitUsage, "error: " + e);
  if (isElfFile(o.image))
    return runProgram(o, selfPath);
  if (!o.mkimageArgs.empty())
    return report(kExitUsage, "error: --file, --dir and --env build an image from a PROGRAM; '" +
                                  o.image + "' is not an ELF program");
  if (!o.sysroot.empty() && !o.gdbAttach)
    return report(kExitUsage, "error: --sysroot builds an image from a PROGRAM or finds the "
                              "libraries for --gdb-attach; '" +
                                  o.image + "' is an image");
  if (!o.kernel.empty())
    if (auto e = checkInputFile("kernel", o.kernel); !e.empty())
      return report(kExitUsage, "error: " + e);
  if (auto e = checkTapInterface(o); !e.empty())
    return report(kExitUsage, "error: " + e);
  if (o.imageFormat != "raw" && (o.hypervisor == Hypervisor::Xen || hasSuffix(o.image, ".zst")))
    return report(kExitUsage, "error: --image-format " + o.imageFormat +
                                  " works with QEMU and an uncompressed file only");
  if (hasSuffix(o.image, ".zst")) {
    // Compressed images (nanos-mkimage build --compress) boot from a temporary raw copy.
    if (o.persist)
      return report(kExitUsage,
                    "error: --persist needs an uncompressed image, not '" + o.image + "'");
    if (o.dryRun) {
      RunOptions shown = o;
      shown.image = "<temporary decompressed copy of " + o.image + ">";
      return o.hypervisor == Hypervisor::Xen ? runXen(shown, selfPath) : runQemu(shown);
    }
    auto raw = decompressZstdToTemp(o.image);
    if (!raw)
      return report(kExitUsage, "error: " + llvm::toString(raw.takeError()));
    RunOptions unpacked = o;
    unpacked.image = raw->path();
    if (o.gdbAttach)
      return runDebug(unpacked, selfPath, false);
    return o.hypervisor == Hypervisor::Xen ? runXen(unpacked, selfPath) : runQemu(unpacked);
  }
  if (o.hypervisor == Hypervisor::Xen)
    return runXen(o, selfPath);
  if (o.gdbAttach)
    return runDebug(o, selfPath, false);
  return runQemu(o);
}

} // namespace runner
