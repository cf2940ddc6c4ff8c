// Runs the hypervisor as a child process and watches it: streams its stderr through (the
// console goes straight to our stdout), enforces the timeout, and on SIGINT/SIGTERM/SIGHUP
// stops it (SIGTERM, then SIGKILL after a grace period) so no process is left behind. The
// child also gets SIGKILL if nanos-run itself dies (PR_SET_PDEATHSIG).
#pragma once

#include <functional>
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
// hideSignalLines (nanos-run --quiet): the child's stderr is passed on line by line, without
// QEMU's "terminating on signal N" lines (stopping the VM on a timeout or Ctrl-C is ours).
// onStderrLine (nanos-run --hypervisor xen): the child's stderr is not passed on; each of
// its lines goes to this callback instead, which may act on it (it runs in the watch loop).
using StderrLineHandler = std::function<void(const std::string& line)>;
SupervisedExit superviseProcess(const std::vector<std::string>& argv,
                                std::optional<double> timeoutSeconds, bool hideSignalLines = false,
                                const StderrLineHandler& onStderrLine = {});

// Whether a stderr line is QEMU's note that it was stopped by a signal.
bool isQemuSignalLine(const std::string& line);

// For the one-line reports about a supervised run: "SIGINT", "SIGTERM", "SIGHUP" or
// "signal N" (the signals that stop a run), and a timeout's seconds as given ("%g").
std::string signalName(int s);
std::string formatSeconds(double s);

// Looks name up like execvp would (PATH, or as-is when it contains '/').
std::optional<std::string> findExecutable(const std::string& name);

} // namespace runner
