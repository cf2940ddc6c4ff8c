// Builds the QEMU argument vector for a run. Pure function of its inputs: unit-tested
// without QEMU. Every element is one argv entry; nothing is ever split on spaces.
#pragma once

#include "run_options.h"

#include <string>
#include <vector>

namespace runner {

// accel must be resolved (Kvm or Tcg), not Auto. exitChannelPath: the file QEMU connects
// the guest's exit channel (a second UART at COM2, kernel/drivers/exit_channel.h) to; ""
// for none.
std::vector<std::string> buildQemuArgv(const RunOptions& options, const std::string& qemuBinary,
                                       Accel accel, const std::string& exitChannelPath = "");

// QEMU's -drive/-netdev option syntax: a comma inside a value is written twice.
std::string escapeQemuOptionValue(const std::string& value);

// A POSIX-shell rendering of argv (for --dry-run): copy-pasting it runs the same command.
std::string shellQuoteCommand(const std::vector<std::string>& argv);

} // namespace runner
