// nanos-run's network options (--net, --net-event-idx) and the QEMU arguments they give.
// A self-contained block: run_options.cc hands every option it does not know to
// parseNetOption(), and qemu_command.cc asks appendNetArgs() for the NIC.
#pragma once

#include "llvm/Support/Error.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace runner {

struct PortForward;

enum class NetMode {
  User,   // QEMU user networking (slirp): NAT to the host, DHCP, DNS at 10.0.2.3, -p forwards
  Tap,    // a host tap interface (-netdev tap): a real L2 link, no forwarding by QEMU
  None,   // no network device at all
  Bridge, // Xen only: a vif on a dom0 bridge (xl's vif = [ 'bridge=NAME' ])
};

struct NetOptions {
  NetMode mode = NetMode::User; // the default: every guest can be a client or a server
  std::string tapInterface;     // NetMode::Tap: the host interface name
  std::string bridge;           // NetMode::Bridge: the dom0 bridge's name
  bool modeGiven = false;       // --net appeared (the Xen check needs to know)
  // --net-event-idx on|off: virtio's VIRTIO_RING_F_EVENT_IDX for the NIC. Unset: QEMU's
  // default (on). Under TCG, guests' transmit paths stall now and then with it on
  // (docs/nanos-run.md, "Networking"), so benchmarks turn it off.
  std::optional<bool> eventIdx;
};

// If `name` is a network option, stores its value in `net` and returns true; `value`
// yields the option's argument (called only for options that take one). Errors are one
// line naming the option.
llvm::Expected<bool> parseNetOption(const std::string& name,
                                    const std::function<llvm::Expected<std::string>()>& value,
                                    NetOptions& net);

// Checks that apply once the whole command line is known: -p needs user networking, Xen
// has no QEMU NIC (only none or bridge:NAME), QEMU no bridge mode. `xen`: --hypervisor xen.
llvm::Error checkNetOptions(const NetOptions& net, const std::vector<PortForward>& ports, bool xen);

// Whether the host has a network interface of that name (a tap must exist before QEMU
// opens it: QEMU would otherwise create one only when run as root, and fail obscurely
// otherwise). Reads /sys/class/net (sysfsRoot is for tests).
bool hostInterfaceExists(const std::string& name, const std::string& sysfsRoot = "/sys");

// Appends the -netdev/-device pair for the NIC (nothing for NetMode::None). `virtioSuffix`
// is "-pci" on q35/pc and "-device" on microvm (virtio-mmio), as for the disk.
void appendNetArgs(std::vector<std::string>& argv, const NetOptions& net,
                   const std::vector<PortForward>& ports, const std::string& virtioSuffix);

// The --help lines for the block above.
extern const char* const kNetUsage;

} // namespace runner
