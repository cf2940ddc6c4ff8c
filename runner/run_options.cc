#include "run_options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace runner {

const char* const kUsage =
    "usage: nanos-run IMAGE [--accel auto|kvm|tcg] [--memory 256M] [--cpus N]\n"
    "    [-p HOST:GUEST[/udp]]... [--timeout SECONDS] [--machine q35|pc|microvm]\n"
    "    [--disk virtio-blk|virtio-scsi|nvme] [--kernel ELF] [--gdb PORT] [--persist] [--dry-run] "
    "[--hypervisor qemu|xen]\n"
    "    [--image-format raw|qcow2|vmdk|vpc|vhdx] [--firmware bios|uefi] [--quiet] [--verbose]\n"
    "    [-- EXTRA-QEMU-ARGS...]\n"
    "    [--gdb-attach [--symbols PROGRAM] [--sysroot DIR] [--solib-dir DIR]...\n"
    "     [--gdb-batch FILE]]\n"
    "   or: nanos-run PROGRAM [--file HOST:GUEST]... [--dir HOST:GUEST]... [-e|--env K=V]...\n"
    "    [the options above] [-- PROGRAM-ARGS...]   (a temporary image of an ELF program)\n";

static llvm::Error fail(const std::string& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

// Whole decimal number in [min, max]; no sign, no spaces, no trailing text.
static std::optional<uint64_t> parseUnsigned(const std::string& text, uint64_t min, uint64_t max) {
  if (text.empty() || text.size() > 19)
    return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value < min || value > max)
    return std::nullopt;
  return value;
}

llvm::Expected<uint64_t> parseMemoryMiB(const std::string& text) {
  std::string digits = text;
  uint64_t kib = 1024; // a bare number means MiB, like QEMU's -m
  if (!digits.empty()) {
    switch (digits.back()) {
    case 'K':
    case 'k':
      kib = 1;
      digits.pop_back();
      break;
    case 'M':
    case 'm':
      kib = 1024;
      digits.pop_back();
      break;
    case 'G':
    case 'g':
      kib = 1024 * 1024;
      digits.pop_back();
      break;
    default:
      break;
    }
  }
  auto n = parseUnsigned(digits, 1, uint64_t(1) << 30);
  if (!n || (*n * kib) % 1024 != 0 || *n * kib / 1024 > (uint64_t(1) << 22))
    return fail("--memory '" + text +
                "': expected a size such as 256M or 1G (whole MiB, at most 4T)");
  return *n * kib / 1024;
}

llvm::Expected<PortForward> parsePortForward(const std::string& text) {
  PortForward p;
  std::string spec = text;
  if (auto slash = spec.find('/'); slash != std::string::npos) {
    p.protocol = spec.substr(slash + 1);
    spec.resize(slash);
    if (p.protocol != "tcp" && p.protocol != "udp")
      return fail("-p '" + text + "': protocol must be tcp or udp");
  }
  auto colon = spec.find(':');
  if (colon == std::string::npos)
    return fail("-p '" + text + "': expected HOST:GUEST, e.g. 8080:80");
  auto host = parseUnsigned(spec.substr(0, colon), 1, 65535);
  auto guest = parseUnsigned(spec.substr(colon + 1), 1, 65535);
  if (!host || !guest)
    return fail("-p '" + text + "': ports must be numbers from 1 to 65535");
  p.host = static_cast<uint16_t>(*host);
  p.guest = static_cast<uint16_t>(*guest);
  return p;
}

static std::optional<double> parseSeconds(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string::npos)
    return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size() || !(v > 0) || !std::isfinite(v) || v > 1e7)
    return std::nullopt;
  return v;
}

llvm::Expected<RunOptions> parseRunOptions(const std::vector<std::string>& args) {
  RunOptions o;
  bool haveImage = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    // Options take their value as the next argument or after '=' (--memory=256M).
    std::string name = a, inlineValue;
    bool hasInline = false;
    if (a.rfind("--", 0) == 0) {
      if (auto eq = a.find('='); eq != std::string::npos) {
        name = a.substr(0, eq);
        inlineValue = a.substr(eq + 1);
        hasInline = true;
      }
    }
    auto value = [&]() -> llvm::Expected<std::string> {
      if (hasInline)
        return inlineValue;
      if (i + 1 >= args.size())
        return fail(name + " needs a value");
      return args[++i];
    };
    auto flag = [&]() -> llvm::Error {
      if (hasInline)
        return fail(name + " takes no value");
      return llvm::Error::success();
    };
#define NEED(var)                                                                                  \
  auto var = value();                                                                              \
  if (!var)                                                                                        \
    return var.takeError();

    if (a == "--") {
      o.extraQemuArgs.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    } else if (name == "--help" || name == "-h") {
      o.help = true;
    } else if (name == "--version") {
      o.version = true;
    } else if (name == "--accel") {
      NEED(v);
      if (*v == "auto")
        o.accel = Accel::Auto;
      else if (*v == "kvm")
        o.accel = Accel::Kvm;
      else if (*v == "tcg")
        o.accel = Accel::Tcg;
      else
        return fail("--accel '" + *v + "': expected auto, kvm or tcg");
    } else if (name == "--memory" || name == "-m") {
      NEED(v);
      auto m = parseMemoryMiB(*v);
      if (!m)
        return m.takeError();
      o.memoryMiB = *m;
    } else if (name == "--cpus") {
      NEED(v);
      auto n = parseUnsigned(*v, 1, 288);
      if (!n)
        return fail("--cpus '" + *v + "': expected a number from 1 to 288");
      o.cpus = static_cast<unsigned>(*n);
    } else if (name == "-p" || name == "--port") {
      NEED(v);
      auto p = parsePortForward(*v);
      if (!p)
        return p.takeError();
      o.ports.push_back(*p);
    } else if (name == "--timeout") {
      NEED(v);
      auto s = parseSeconds(*v);
      if (!s)
        return fail("--timeout '" + *v + "': expected a positive number of seconds");
      o.timeoutSeconds = *s;
    } else if (name == "--machine") {
      NEED(v);
      if (*v != "q35" && *v != "pc" && *v != "microvm")
        return fail("--machine '" + *v + "': expected q35, pc or microvm");
      o.machine = *v;
    } else if (name == "--firmware") {
      NEED(v);
      if (*v != "bios" && *v != "uefi")
        return fail("--firmware '" + *v + "': expected bios or uefi");
      o.firmware = *v;
    } else if (name == "--disk") {
      NEED(v);
      if (*v != "virtio-blk" && *v != "virtio-scsi" && *v != "nvme")
        return fail("--disk '" + *v + "': expected virtio-blk, virtio-scsi or nvme");
      o.disk = *v;
    } else if (name == "--image-format") { // boots an exported artifact (issue 20)
      NEED(v);
      if (*v != "raw" && *v != "qcow2" && *v != "vmdk" && *v != "vpc" && *v != "vhdx")
        return fail("--image-format '" + *v + "': expected raw, qcow2, vmdk, vpc or vhdx");
      o.imageFormat = *v;
    } else if (name == "--kernel") {
      NEED(v);
      if (v->empty())
        return fail("--kernel needs a file name");
      o.kernel = *v;
    } else if (name == "--gdb") {
      NEED(v);
      auto n = parseUnsigned(*v, 1, 65535);
      if (!n)
        return fail("--gdb '" + *v + "': expected a TCP port from 1 to 65535");
      o.gdbPort = static_cast<uint16_t>(*n);
    } else if (name == "--symbols" || name == "--sysroot" || name == "--solib-dir" ||
               name == "--gdb-batch") {
      NEED(v);
      if (v->empty())
        return fail(name + " needs a path");
      if (name == "--symbols")
        o.symbols = *v;
      else if (name == "--sysroot")
        o.sysroot = *v;
      else if (name == "--solib-dir")
        o.solibDirs.push_back(*v);
      else
        o.gdbBatch = *v;
    } else if (name == "--gdb-attach") {
      if (auto e = flag())
        return e;
      o.gdbAttach = true;
    } else if (name == "--hypervisor") {
      NEED(v);
      if (*v == "qemu")
        o.hypervisor = Hypervisor::Qemu;
      else if (*v == "xen")
        o.hypervisor = Hypervisor::Xen;
      else
        return fail("--hypervisor '" + *v + "': expected qemu or xen");
    } else if (name == "--file" || name == "--dir" || name == "--env" || name == "-e") {
      NEED(v);
      const bool env = name == "--env" || name == "-e";
      if (env ? v->find('=') == 0 || v->find('=') == std::string::npos
              : v->rfind(':') == 0 || v->rfind(':') == std::string::npos)
        return fail(name + " '" + *v + "': expected " + (env ? "NAME=VALUE" : "HOST:GUEST"));
      o.mkimageArgs.push_back(env ? "--env" : name);
      o.mkimageArgs.push_back(*v);
    } else if (name == "--verbose" || name == "-v") {
      if (auto e = flag())
        return e;
      o.verbose = true;
    } else if (name == "--persist" || name == "--dry-run" || name == "--quiet" || name == "-q") {
      if (auto e = flag())
        return e;
      if (name == "--persist")
        o.persist = true;
      else if (name == "--dry-run")
        o.dryRun = true;
      else
        o.quiet = true;
    } else if (auto isXen = parseXenOption(name, value, o.xen); !isXen) {
      return isXen.takeError();
    } else if (*isXen) {
      // a Xen option (xen_options.cc)
    } else if (auto isNet = parseNetOption(name, value, o.net); !isNet) {
      return isNet.takeError();
    } else if (*isNet) {
      // a network option (net_options.cc)
    } else if (a.size() > 1 && a[0] == '-') {
      return fail("unknown option '" + a + "'");
    } else if (haveImage) {
      return fail("more than one IMAGE given ('" + o.image + "' and '" + a + "')");
    } else {
      o.image = a;
      haveImage = true;
    }
#undef NEED
  }
  if (o.help || o.version)
    return o;
  if (!haveImage || o.image.empty())
    return fail("no IMAGE given");
  if (o.memoryMiB < kMinMemoryMiB)
    return fail("--memory " + std::to_string(o.memoryMiB) +
                "M is too little: the guest needs at least " + std::to_string(kMinMemoryMiB) + "M");
  if (o.quiet && o.verbose)
    return fail("--quiet and --verbose together");
  if (!o.gdbAttach && (!o.symbols.empty() || !o.solibDirs.empty() || !o.gdbBatch.empty()))
    return fail(std::string(!o.symbols.empty()    ? "--symbols"
                            : !o.gdbBatch.empty() ? "--gdb-batch"
                                                  : "--solib-dir") +
                " needs --gdb-attach");
  if (o.gdbAttach && o.dryRun)
    return fail("--gdb-attach and --dry-run together");
  if (o.hypervisor == Hypervisor::Xen) {
    if (o.gdbAttach)
      return fail("--gdb-attach is not supported with --hypervisor xen");
    if (!o.ports.empty())
      return fail("-p is not supported with --hypervisor xen (configure the guest's vif instead)");
    if (o.gdbPort)
      return fail("--gdb is not supported with --hypervisor xen");
    if (o.disk != "virtio-blk")
      return fail("--disk " + o.disk +
                  " is not supported with --hypervisor xen (its disk is "
                  "the Xen block device)");
  }
  if (auto e = checkNetOptions(o.net, o.ports, o.hypervisor == Hypervisor::Xen))
    return e;
  if (auto e = checkXenOptions(o.xen, o.hypervisor == Hypervisor::Xen))
    return e;
  if (o.machine == "microvm" && o.disk == "nvme" && o.hypervisor == Hypervisor::Qemu)
    return fail("--disk nvme needs PCI: not with --machine microvm");
  // --net bridge:NAME and the older --xen-bridge NAME both ask for the vif.
  if (o.net.mode == NetMode::Bridge) {
    if (!o.xen.bridge.empty() && o.xen.bridge != o.net.bridge)
      return fail("--net bridge:" + o.net.bridge + " and --xen-bridge " + o.xen.bridge +
                  " name different bridges");
    o.xen.bridge = o.net.bridge;
  }
  if (o.machine == "microvm" && o.kernel.empty() && o.hypervisor == Hypervisor::Qemu)
    return fail("--machine microvm has no disk boot: pass --kernel ELF");
  if (o.firmware == "uefi") {
    if (o.hypervisor == Hypervisor::Xen)
      return fail("--firmware uefi is not supported with --hypervisor xen (PVH boot)");
    if (o.machine == "microvm")
      return fail("--firmware uefi needs --machine q35 or pc (microvm has no pflash)");
    if (!o.kernel.empty())
      return fail("--firmware uefi boots the image's EFI system partition; --kernel is a direct "
                  "boot without firmware");
  }
  return o;
}

} // namespace runner
