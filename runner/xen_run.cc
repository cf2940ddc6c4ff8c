#include "xen_run.h"

#include "exit_status.h"
#include "supervisor.h"
#include "xen_status.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace runner {
namespace {

int report(int status, const std::string& message) {
  std::fprintf(stderr, "nanos-run: %s\n", message.c_str());
  return status;
}

// Runs a short tool (xl destroy, xenstore-read) to completion with stdin and stderr on
// /dev/null; returns its exit code (-1: could not run) and its standard output.
int runCaptured(const std::vector<std::string>& argv, std::string& out) {
  out.clear();
  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0)
    return -1;
  std::vector<char*> cargv;
  for (const std::string& a : argv)
    cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t child = ::fork();
  if (child < 0) {
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
    return -1;
  }
  if (child == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::dup2(pipeFds[1], STDOUT_FILENO);
    // The caller may be stopping the guest because of a signal: take the defaults back.
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD})
      ::signal(s, SIG_DFL);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::close(pipeFds[1]);
  char buf[512];
  ssize_t n;
  while ((n = ::read(pipeFds[0], buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(pipeFds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Lines xl -F prints about a normal life cycle: not worth showing.
bool isXlProgressLine(const std::string& line) {
  for (const char* prefix : {"Parsing config from ", "Waiting for domain ", "Domain ",
                             "Action for shutdown reason code ", "Done. Exiting now"})
    if (line.rfind(prefix, 0) == 0)
      return true;
  return false;
}

} // namespace

int runXlGuest(const RunOptions& o, const std::string& xl, const std::string& configPath,
               const std::string& name) {
  std::optional<XenShutdown> shutdown;
  std::optional<std::string> exitKey;
  bool destroyed = false;
  std::vector<std::string> xlLines;
  std::string keyProblem;
  const std::optional<std::string> xenstoreRead = findExecutable("xenstore-read");

  // The domain is preserved after it shuts down: read the status it left in xenstore, then
  // destroy it, which also ends xl's console and xl itself.
  auto onLine = [&](const std::string& line) {
    if (xlLines.size() < 200)
      xlLines.push_back(line);
    if (auto s = parseXlShutdownLine(line); s && !shutdown) {
      shutdown = s;
      std::string out;
      if (!xenstoreRead) {
        keyProblem = "xenstore-read not found: cannot read the guest's exit status";
      } else if (runCaptured({*xenstoreRead,
                              "/local/domain/" + std::to_string(s->domid) + "/" + kXenExitKey},
                             out) == 0) {
        exitKey = out;
      }
      runCaptured({xl, "destroy", std::to_string(s->domid)}, out);
      destroyed = true;
    } else if (o.verbose && !isXlProgressLine(line)) {
      std::fprintf(stderr, "nanos-run: xl: %s\n", line.c_str());
    }
  };
  std::fflush(stdout);
  SupervisedExit r =
      superviseProcess({xl, "create", "-F", "-c", configPath}, o.timeoutSeconds, false, onLine);
  // Stopped early, failed half-way, or killed: the domain may still exist. xl destroy by name
  // is a no-op (an error we ignore) when it does not.
  if (!destroyed) {
    std::string out;
    runCaptured({xl, "destroy", name}, out);
  }

  switch (r.kind) {
  case SupervisedExit::SpawnFailed:
    if (r.spawnErrno == ENOENT)
      return report(kExitQemuMissing, xl + ": " + std::strerror(r.spawnErrno));
    return report(kExitQemuFailed, "cannot start " + xl + ": " + std::strerror(r.spawnErrno));
  case SupervisedExit::TimedOut:
    return report(kExitTimeout, "timeout: the guest was still running after " +
                                    formatSeconds(*o.timeoutSeconds) + " s; destroyed the domain");
  case SupervisedExit::Interrupted:
    return report(128 + r.signal,
                  "interrupted by " + signalName(r.signal) + "; destroyed the domain");
  case SupervisedExit::Killed:
    if (!shutdown)
      return report(kExitQemuFailed, "xl was killed by " + signalName(r.signal));
    break;
  case SupervisedExit::Exited:
    break;
  }
  if (!shutdown) {
    std::string why = summarizeXlErrors(xlLines);
    return report(kExitQemuFailed, "xl failed (exit status " + std::to_string(r.code) + ")" +
                                       (why.empty() ? "" : ": " + why));
  }
  if (!keyProblem.empty() && !exitKey &&
      shutdown->reason == static_cast<int>(XenShutdownReason::Poweroff))
    return report(kExitQemuFailed, keyProblem);
  GuestOutcome g = mapXenShutdown(shutdown->reason, exitKey);
  if (!g.message.empty())
    return report(g.status, g.message);
  return g.status;
}

} // namespace runner
