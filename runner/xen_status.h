// How nanos-run learns what happened to a Xen guest (docs/xen.md, "Exit status").
//
// xl create -F prints "Domain N has shut down, reason code R 0xR" when the guest stops; the
// config says on_poweroff/on_crash = "preserve", so the domain (and its xenstore directory)
// is still there: the kernel's exit status is the key data/nanos/exit under the domain's
// home path, written before it shuts down. Pure functions here, host-tested.
#pragma once

#include "exit_status.h"

#include <optional>
#include <string>
#include <vector>

namespace runner {

// SCHEDOP_shutdown reasons as xl reports them.
enum class XenShutdownReason { Poweroff = 0, Reboot = 1, Suspend = 2, Crash = 3, Watchdog = 4 };

struct XenShutdown {
  unsigned domid = 0;
  int reason = 0;
};

// The xenstore key (relative to /local/domain/<domid>) holding the program's exit status.
inline constexpr const char* kXenExitKey = "data/nanos/exit";

// "Domain 5 has shut down, reason code 0 0x0" -> {5, 0}; anything else -> nullopt.
std::optional<XenShutdown> parseXlShutdownLine(const std::string& line);

// Maps the shutdown reason and the exit key's value (nullopt: the key was absent) onto
// nanos-run's status and message, with the same numbers as under QEMU.
GuestOutcome mapXenShutdown(int reason, const std::optional<std::string>& exitKey);

// xl's stderr after a failure -> one line: its first "error" line (libxl's own prefix and
// source location dropped), or its last non-empty line.
std::string summarizeXlErrors(const std::vector<std::string>& lines);

} // namespace runner
