// nanos-run --hypervisor xen's run: drives `xl create -F -c` and turns what happens to the
// domain into nanos-run's exit status (docs/xen.md, "Running under Xen").
#pragma once

#include "run_options.h"

#include <string>

namespace runner {

// Boots the guest described by the xl config at configPath (whose domain is called name, and
// says on_poweroff/on_crash = "preserve") with its console on our stdin/stdout, and returns
// the program's status or one of nanos-run's own (exit_status.h). Whatever happens (exit,
// crash, --timeout, SIGINT/SIGTERM/SIGHUP, xl failing), no domain called name is left.
int runXlGuest(const RunOptions& options, const std::string& xl, const std::string& configPath,
               const std::string& name);

} // namespace runner
