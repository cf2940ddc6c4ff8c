// Runs the hypervisor as a child process and watches it: streams its stderr through (the
// console goes straight to our stdout), enforces the timeout, and on SIGINT/SIGTERM/SIGHUP
// stops it (SIGTERM, then SIGKILL after a grace period) so no process is left behind. The
// child also gets SIGKILL if nanos-run itself dies (PR_SET_PDEATHSIG).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace runner {

struct SupervisedExit {
  enum Kind {
    Exited,      // code = the child's exit code
    Killed,      // the child died by signal `signal` on its own
    TimedOut,    // the timeout expired and we stopped it
    Interrupted, // we got `signal` (SIGINT/SIGTERM/SIGHUP) and stopped it
    SpawnFailed, // exec failed: spawnErrno
  } kind = Exited;
  int code = 0;
  int signal = 0;
  int spawnErrno = 0;
  bool stderrHadError = false; // the child printed a line isQemuErrorLine() accepts
};

// argv[0] must be a path (see findExecutable). timeoutSeconds unset: no limit.
SupervisedExit superviseProcess(const std::vector<std::string>& argv,
                                std::optional<double> timeoutSeconds);

// Looks name up like execvp would (PATH, or as-is when it contains '/').
std::optional<std::string> findExecutable(const std::string& name);

} // namespace runner
