#include "supervisor.h"

#include "exit_status.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace runner {
namespace {

int gSignalPipe[2] = {-1, -1};

extern "C" void onSignal(int signo) {
  int saved = errno;
  unsigned char b = static_cast<unsigned char>(signo);
  [[maybe_unused]] ssize_t n = ::write(gSignalPipe[1], &b, 1);
  errno = saved;
}

constexpr int kWatchedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};

// Installs the handlers for the lifetime of one supervision and restores the old ones.
class SignalGuard {
public:
  SignalGuard() {
    if (::pipe2(gSignalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
      gSignalPipe[0] = gSignalPipe[1] = -1;
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < std::size(kWatchedSignals); ++i)
      ::sigaction(kWatchedSignals[i], &sa, &old_[i]);
  }
  ~SignalGuard() {
    for (size_t i = 0; i < std::size(kWatchedSignals); ++i)
      ::sigaction(kWatchedSignals[i], &old_[i], nullptr);
    ::close(gSignalPipe[0]);
    ::close(gSignalPipe[1]);
    gSignalPipe[0] = gSignalPipe[1] = -1;
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

private:
  struct sigaction old_[std::size(kWatchedSignals)]{};
};

void writeAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// Forwards the child's stderr and remembers whether a complete line was an error. With
// hideSignalLines it forwards whole lines only, so that one can be left out.
struct StderrWatcher {
  bool hideSignalLines = false;
  StderrLineHandler onLine; // set: lines go here, nothing is forwarded
  std::string line;
  std::string held; // hideSignalLines: the current line's bytes, not yet forwarded
  bool sawError = false;
  void feed(const char* data, size_t size) {
    if (!hideSignalLines && !onLine)
      writeAll(STDERR_FILENO, data, size);
    for (size_t i = 0; i < size; ++i) {
      if (hideSignalLines)
        held += data[i];
      if (data[i] == '\n') {
        endLine();
      } else if (line.size() < 4096) {
        line += data[i];
      }
    }
  }
  void endLine() {
    sawError = sawError || isQemuErrorLine(line);
    if (onLine) {
      if (!line.empty())
        onLine(line);
    } else if (hideSignalLines && !isQemuSignalLine(line))
      writeAll(STDERR_FILENO, held.data(), held.size());
    line.clear();
    held.clear();
  }
  void finish() { endLine(); }
};

using Clock = std::chrono::steady_clock;

} // namespace

std::optional<std::string> findExecutable(const std::string& name) {
  auto executable = [](const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.empty())
    return std::nullopt;
  if (name.find('/') != std::string::npos)
    return executable(name) ? std::optional(name) : std::nullopt;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos)
      end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (executable(candidate))
      return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

bool isQemuSignalLine(const std::string& line) {
  return line.find(": terminating on signal ") != std::string::npos;
}

SupervisedExit superviseProcess(const std::vector<std::string>& argv,
                                std::optional<double> timeoutSeconds, bool hideSignalLines,
                                const StderrLineHandler& onStderrLine) {
  SupervisedExit result;
  SignalGuard guard;
  int errPipe[2], execPipe[2];
  if (::pipe2(errPipe, O_CLOEXEC) != 0 || ::pipe2(execPipe, O_CLOEXEC) != 0) {
    result.kind = SupervisedExit::SpawnFailed;
    result.spawnErrno = errno;
    return result;
  }
  std::vector<char*> cargv;
  for (const std::string& a : argv)
    cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  // A VM started in the background (`nanos-run img &`) must not read the terminal: the
  // read would stop QEMU with SIGTTIN and the run would hang. Give it /dev/null instead.
  const bool backgroundTty = ::isatty(STDIN_FILENO) && ::tcgetpgrp(STDIN_FILENO) != ::getpgrp();
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    result.kind = SupervisedExit::SpawnFailed;
    result.spawnErrno = errno;
    for (int fd : {errPipe[0], errPipe[1], execPipe[0], execPipe[1]})
      ::close(fd);
    return result;
  }
  if (child == 0) {
    // Default dispositions: the hypervisor handles SIGINT/SIGTERM itself.
    for (int s : kWatchedSignals)
      ::signal(s, SIG_DFL);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) // the parent died before prctl took effect
      ::_exit(127);
    ::dup2(errPipe[1], STDERR_FILENO);
    if (backgroundTty) {
      int null = ::open("/dev/null", O_RDONLY);
      if (null >= 0)
        ::dup2(null, STDIN_FILENO);
    }
    ::execv(cargv[0], cargv.data());
    int e = errno;
    [[maybe_unused]] ssize_t n = ::write(execPipe[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(errPipe[1]);
  ::close(execPipe[1]);
  ::fcntl(errPipe[0], F_SETFL, O_NONBLOCK); // never block on a pipe a grandchild might hold
  int execErrno = 0;
  ssize_t got;
  do
    got = ::read(execPipe[0], &execErrno, sizeof execErrno);
  while (got < 0 && errno == EINTR);
  ::close(execPipe[0]);
  if (got == static_cast<ssize_t>(sizeof execErrno)) {
    ::close(errPipe[0]);
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    result.kind = SupervisedExit::SpawnFailed;
    result.spawnErrno = execErrno;
    return result;
  }

  StderrWatcher watcher;
  watcher.hideSignalLines = hideSignalLines;
  watcher.onLine = onStderrLine;
  const auto start = Clock::now();
  // Plain time points + flags (std::optional here trips GCC 12's -Wmaybe-uninitialized).
  const bool hasDeadline = timeoutSeconds.has_value();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(timeoutSeconds.value_or(0)));
  bool killPending = false; // we asked the child to stop; SIGKILL at killAt
  Clock::time_point killAt = start;
  bool stopping = false, stderrOpen = true;
  int status = 0;
  bool reaped = false;

  auto stop = [&]() {
    if (stopping)
      return;
    stopping = true;
    ::kill(child, SIGTERM);
    killAt = Clock::now() + std::chrono::seconds(2);
    killPending = true;
  };

  while (!reaped) {
    int waitMs = -1;
    auto now = Clock::now();
    auto until = [&](Clock::time_point t) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - now).count() + 1;
      int v = ms < 0 ? 0 : static_cast<int>(std::min<long long>(ms, 1 << 30));
      waitMs = waitMs < 0 ? v : std::min(waitMs, v);
    };
    if (hasDeadline && !stopping)
      until(deadline);
    if (killPending)
      until(killAt);
    struct pollfd fds[2] = {{gSignalPipe[0], POLLIN, 0}, {stderrOpen ? errPipe[0] : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, waitMs);
    if (n < 0 && errno != EINTR)
      break;
    now = Clock::now();
    if (n > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[4096];
      ssize_t r = ::read(errPipe[0], buf, sizeof buf);
      if (r > 0)
        watcher.feed(buf, static_cast<size_t>(r));
      else if (r == 0 || (errno != EINTR && errno != EAGAIN))
        stderrOpen = false;
    }
    if (n > 0 && (fds[0].revents & POLLIN)) {
      unsigned char sigs[64];
      ssize_t r = ::read(gSignalPipe[0], sigs, sizeof sigs);
      for (ssize_t i = 0; i < r; ++i) {
        if (sigs[i] == SIGCHLD)
          continue;
        if (result.kind != SupervisedExit::TimedOut && result.kind != SupervisedExit::Interrupted) {
          result.kind = SupervisedExit::Interrupted;
          result.signal = sigs[i];
        }
        stop();
      }
    }
    if (hasDeadline && !stopping && now >= deadline) {
      result.kind = SupervisedExit::TimedOut;
      stop();
    }
    if (killPending && now >= killAt) {
      ::kill(child, SIGKILL);
      killPending = false;
    }
    pid_t w = ::waitpid(child, &status, WNOHANG);
    if (w == child)
      reaped = true;
  }
  if (!reaped) // poll failed: do not leave the child behind
    ::kill(child, SIGKILL), ::waitpid(child, &status, 0);
  // Drain what the child wrote just before exiting.
  if (stderrOpen) {
    char buf[4096];
    ssize_t r;
    while ((r = ::read(errPipe[0], buf, sizeof buf)) > 0)
      watcher.feed(buf, static_cast<size_t>(r));
  }
  ::close(errPipe[0]);
  watcher.finish();
  result.stderrHadError = watcher.sawError;
  if (result.kind == SupervisedExit::TimedOut || result.kind == SupervisedExit::Interrupted)
    return result;
  if (WIFEXITED(status)) {
    result.kind = SupervisedExit::Exited;
    result.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.kind = SupervisedExit::Killed;
    result.signal = WTERMSIG(status);
  }
  return result;
}

std::string signalName(int s) {
  switch (s) {
  case SIGINT:
    return "SIGINT";
  case SIGTERM:
    return "SIGTERM";
  case SIGHUP:
    return "SIGHUP";
  default:
    return "signal " + std::to_string(s);
  }
}

std::string formatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

} // namespace runner
