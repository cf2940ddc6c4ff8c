#include "net_options.h"

#include "qemu_command.h"
#include "run_options.h"

#include <sys/stat.h>

namespace runner {

const char* const kNetUsage =
    "    [--net user|tap:IFNAME|bridge:BRIDGE|none] [--net-event-idx on|off]\n";

static llvm::Error fail(const std::string& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

// Linux interface names: 1-15 bytes (IFNAMSIZ - 1), no '/', no whitespace, not "." or "..".
// A ',' would also end QEMU's ifname= value early; Linux allows it, we do not.
static bool validInterfaceName(const std::string& name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..")
    return false;
  for (char c : name)
    if (c == '/' || c == ',' || c == ':' || c <= ' ' || c == 0x7f)
      return false;
  return true;
}

static llvm::Error parseNetMode(const std::string& text, NetOptions& net) {
  if (text == "user") {
    net.mode = NetMode::User;
  } else if (text == "none") {
    net.mode = NetMode::None;
  } else if (text.rfind("tap:", 0) == 0) {
    std::string name = text.substr(4);
    if (!validInterfaceName(name))
      return fail("--net '" + text +
                  "': the tap interface name must be 1-15 characters without '/', ',', ':' "
                  "or spaces");
    net.mode = NetMode::Tap;
    net.tapInterface = name;
  } else if (text.rfind("bridge:", 0) == 0) {
    std::string name = text.substr(7);
    // xl passes it to the vif hotplug script inside a comma-separated spec.
    if (!validInterfaceName(name) || name.find_first_of("='\"") != std::string::npos)
      return fail("--net '" + text +
                  "': the bridge name must be 1-15 characters without '/', ',', ':', '=', "
                  "quotes or spaces");
    net.mode = NetMode::Bridge;
    net.bridge = name;
  } else {
    return fail("--net '" + text + "': expected user, tap:IFNAME, bridge:BRIDGE or none");
  }
  net.modeGiven = true;
  return llvm::Error::success();
}

llvm::Expected<bool> parseNetOption(const std::string& name,
                                    const std::function<llvm::Expected<std::string>()>& value,
                                    NetOptions& net) {
  if (name == "--net") {
    auto v = value();
    if (!v)
      return v.takeError();
    if (auto e = parseNetMode(*v, net))
      return e;
    return true;
  }
  if (name == "--net-event-idx") {
    auto v = value();
    if (!v)
      return v.takeError();
    if (*v == "on")
      net.eventIdx = true;
    else if (*v == "off")
      net.eventIdx = false;
    else
      return fail("--net-event-idx '" + *v + "': expected on or off");
    return true;
  }
  return false;
}

llvm::Error checkNetOptions(const NetOptions& net, const std::vector<PortForward>& ports,
                            bool xen) {
  if (xen) {
    // A Xen guest's NIC is a vif on a dom0 bridge (netfront); none without --net bridge:.
    if (net.modeGiven && net.mode == NetMode::User)
      return fail("--net user is not supported with --hypervisor xen (QEMU's user networking; "
                  "use --net bridge:BRIDGE for a vif on a dom0 bridge)");
    if (net.modeGiven && net.mode == NetMode::Tap)
      return fail("--net tap:" + net.tapInterface +
                  " is not supported with --hypervisor xen (use --net bridge:BRIDGE)");
    if (net.eventIdx)
      return fail("--net-event-idx is not supported with --hypervisor xen");
    return llvm::Error::success();
  }
  if (net.mode == NetMode::Bridge)
    return fail("--net bridge:" + net.bridge +
                " needs --hypervisor xen (with QEMU, add a tap to the bridge and use --net "
                "tap:IFNAME)");
  if (!ports.empty() && net.mode == NetMode::Tap)
    return fail("-p needs --net user (QEMU's port forwarding); with --net tap:" + net.tapInterface +
                " reach the guest at its own address instead");
  if (!ports.empty() && net.mode == NetMode::None)
    return fail("-p needs --net user (QEMU's port forwarding), not --net none");
  if (net.mode == NetMode::None && net.eventIdx)
    return fail("--net-event-idx needs a network device (not --net none)");
  return llvm::Error::success();
}

bool hostInterfaceExists(const std::string& name, const std::string& sysfsRoot) {
  struct stat st;
  return ::stat((sysfsRoot + "/class/net/" + name).c_str(), &st) == 0;
}

void appendNetArgs(std::vector<std::string>& argv, const NetOptions& net,
                   const std::vector<PortForward>& ports, const std::string& virtioSuffix) {
  std::string netdev;
  switch (net.mode) {
  case NetMode::None:
  case NetMode::Bridge: // Xen's vif: the xl config's business (xl_config.cc)
    return;
  case NetMode::User:
    netdev = "user,id=n0";
    for (const PortForward& p : ports)
      netdev +=
          ",hostfwd=" + p.protocol + "::" + std::to_string(p.host) + "-:" + std::to_string(p.guest);
    break;
  case NetMode::Tap:
    // script=no/downscript=no: the interface is set up by the user (or tests/net's helper);
    // QEMU must not run /etc/qemu-ifup, which usually does not exist.
    netdev =
        "tap,id=n0,ifname=" + escapeQemuOptionValue(net.tapInterface) + ",script=no,downscript=no";
    break;
  }
  std::string device = "virtio-net" + virtioSuffix + ",netdev=n0";
  // No option ROM on PCI: QEMU would load iPXE's virtio ROM, which SeaBIOS then runs at
  // every boot (network boot is never used; the ROM only costs boot time).
  if (virtioSuffix == "-pci")
    device += ",romfile=";
  if (net.eventIdx)
    device += *net.eventIdx ? ",event_idx=on" : ",event_idx=off";
  argv.insert(argv.end(), {"-netdev", netdev, "-device", device});
}

} // namespace runner
