// Command-line options of nanos-run and their parser.
#pragma once

#include "net_options.h"
#include "xen_options.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace runner {

enum class Accel { Auto, Kvm, Tcg };
enum class Hypervisor { Qemu, Xen };

struct PortForward {
  uint16_t host = 0;
  uint16_t guest = 0;
  std::string protocol = "tcp"; // "tcp" or "udp"
};

struct RunOptions {
  std::string image;
  Accel accel = Accel::Auto;
  uint64_t memoryMiB = 256;
  unsigned cpus = 1;
  std::vector<PortForward> ports;
  std::optional<double> timeoutSeconds; // unset: wait forever
  std::string machine = "q35";          // q35, pc or microvm
  // --firmware: bios (QEMU's SeaBIOS: boot.img's stage1/stage2) or uefi (OVMF from pflash:
  // the image's EFI system partition and BOOTX64.EFI; nanos-mkimage build --uefi).
  std::string firmware = "bios";
  // Set by the run, not the command line, for --firmware uefi: OVMF's code (read-only) and
  // the run's private copy of its variable store.
  std::string ovmfCode, ovmfVars;
  std::string kernel;              // --kernel: PVH direct boot of this ELF
  std::string disk = "virtio-blk"; // the root disk's controller: virtio-blk, virtio-scsi or nvme
  // --image-format: how QEMU reads the image file (an exported artifact: qcow2, vmdk, vpc for
  // VHD, vhdx); raw by default.
  std::string imageFormat = "raw";
  std::optional<uint16_t> gdbPort;
  // --gdb-attach (gdb_attach.h): boot under the gdb stub and start gdb with the symbols.
  bool gdbAttach = false;
  std::string symbols;                // --symbols: host copy of the image's program
  std::string sysroot;                // --sysroot: host tree of the libraries ("" = /)
  std::vector<std::string> solibDirs; // --solib-dir: more places to find libraries by name
  std::string gdbBatch;               // --gdb-batch: gdb -batch with these commands
  bool persist = false;
  bool dryRun = false;
  Hypervisor hypervisor = Hypervisor::Qemu;
  bool quiet = false;
  bool verbose = false; // --verbose: the boot loader's progress lines too (fw_cfg flag)
  // PROGRAM mode (an ELF instead of an image): nanos-mkimage build options, as given
  // (--file H:G, --dir H:G, --env K=V), for the temporary image.
  std::vector<std::string> mkimageArgs;
  std::vector<std::string> extraQemuArgs; // everything after "--" (PROGRAM mode: its argv)
  NetOptions net;                         // --net, --net-event-idx (net_options.h)
  XenOptions xen;                         // --xen-bridge, --xen-cmdline (xen_options.h)
  bool help = false;
  bool version = false;
};

extern const char* const kUsage;

// The smallest guest RAM the kernel runs a program in (add_unikernel's MEMORY check too);
// with less the boot stops at once with a message rather than hanging.
inline constexpr uint64_t kMinMemoryMiB = 16;

// Parses argv[1..] (the program name excluded). Errors are one line naming the option.
llvm::Expected<RunOptions> parseRunOptions(const std::vector<std::string>& args);

// "256M", "1G", "512" (MiB), "65536K" -> MiB; rejects zero and sizes that are not whole MiB.
llvm::Expected<uint64_t> parseMemoryMiB(const std::string& text);

// "8080:80", "8080:80/udp".
llvm::Expected<PortForward> parsePortForward(const std::string& text);

} // namespace runner
