// nanos-run's options that only mean something with --hypervisor xen.
#pragma once

#include "llvm/Support/Error.h"

#include <functional>
#include <string>

namespace runner {

struct XenOptions {
  // --xen-bridge NAME: the guest gets a vif on this dom0 bridge; empty: no vif.
  std::string bridge;
  // --xen-cmdline TEXT: the PVH start info's command line (xl "cmdline"). Our kernel reads
  // its configuration from the image, not from here; test kernels use it.
  std::string cmdline;
};

extern const char* const kXenUsage;

// Parses one Xen option. Returns true when `name` was one (value() yields its argument),
// false when it is not a Xen option, an error for a bad value.
llvm::Expected<bool> parseXenOption(const std::string& name,
                                    const std::function<llvm::Expected<std::string>()>& value,
                                    XenOptions& xen);

// The Xen options given without --hypervisor xen are an error (one line naming the option).
llvm::Error checkXenOptions(const XenOptions& xen, bool xenSelected);

} // namespace runner
