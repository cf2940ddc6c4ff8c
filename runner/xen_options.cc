#include "xen_options.h"

namespace runner {

const char* const kXenUsage =
    "  with --hypervisor xen: [--xen-bridge BRIDGE] (a vif on that dom0 bridge; default: none)\n"
    "    [--xen-cmdline TEXT] (the PVH guest's command line)\n";

static llvm::Error fail(const std::string& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<bool> parseXenOption(const std::string& name,
                                    const std::function<llvm::Expected<std::string>()>& value,
                                    XenOptions& xen) {
  if (name != "--xen-bridge" && name != "--xen-cmdline")
    return false;
  auto v = value();
  if (!v)
    return v.takeError();
  if (name == "--xen-bridge") {
    // A Linux interface name: what xl passes to the vif-bridge hotplug script verbatim.
    bool ok = !v->empty() && v->size() < 16;
    for (char c : *v)
      ok = ok && c > ' ' && c != '/' && c != ',' && c != '=' && c != '\'' && c != '"' && c < 127;
    if (!ok)
      return fail("--xen-bridge '" + *v + "': expected a network interface name (e.g. xenbr0)");
    xen.bridge = *v;
  } else {
    if (v->find('\n') != std::string::npos)
      return fail("--xen-cmdline must be one line");
    xen.cmdline = *v;
  }
  return true;
}

llvm::Error checkXenOptions(const XenOptions& xen, bool xenSelected) {
  if (xenSelected)
    return llvm::Error::success();
  if (!xen.bridge.empty())
    return fail("--xen-bridge needs --hypervisor xen");
  if (!xen.cmdline.empty())
    return fail("--xen-cmdline needs --hypervisor xen");
  return llvm::Error::success();
}

} // namespace runner
