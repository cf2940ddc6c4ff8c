#include "exit_status.h"

#include <cstdlib>

namespace runner {

bool isQemuErrorLine(const std::string& line) {
  if (line.empty())
    return false;
  return line.find("warning:") == std::string::npos && line.find("info:") == std::string::npos;
}

std::string signalNameOf(int s) {
  static const char* const kNames[] = {
      nullptr,     "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
      "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
      "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
      "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS"};
  if (s > 0 && s < static_cast<int>(sizeof kNames / sizeof kNames[0]))
    return kNames[s];
  return "signal " + std::to_string(s);
}

namespace {

// "<kind> <digits>" with nothing else; the status's range depends on the kind.
std::optional<ExitRecord> parseRecordLine(const std::string& body) {
  size_t space = body.find(' ');
  if (space == std::string::npos)
    return std::nullopt;
  std::string kind = body.substr(0, space), digits = body.substr(space + 1);
  if (digits.empty() || digits.size() > 3 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  int status = std::atoi(digits.c_str());
  if (kind == "exit" && status <= 255)
    return ExitRecord{ExitRecord::Exit, status};
  if (kind == "signal" && status >= 1 && status <= 64)
    return ExitRecord{ExitRecord::Signal, status};
  if (kind == "panic" && (status == kGuestKernelFault || status == kGuestKernelHalt))
    return ExitRecord{ExitRecord::Panic, status};
  if (kind == "boot-failure")
    return ExitRecord{ExitRecord::BootFailure, status};
  return std::nullopt;
}

// The byte the guest wrote to isa-debug-exit alongside the record (kernel/arch/x86_64/exit.h
// debug_exit_code; the boot loader writes 126).
int debugExitByte(const ExitRecord& r) {
  switch (r.kind) {
  case ExitRecord::Signal:
    return (128 + r.status) & 0xFF;
  case ExitRecord::BootFailure:
    return kGuestKernelFault;
  default:
    return r.status & 0xFF;
  }
}

std::string describe(const ExitRecord& r) {
  switch (r.kind) {
  case ExitRecord::Exit:
    return "exit status " + std::to_string(r.status);
  case ExitRecord::Signal:
    return "death by signal " + std::to_string(r.status);
  case ExitRecord::Panic:
    return "a kernel panic";
  case ExitRecord::BootFailure:
    return "a boot loader failure";
  }
  return "";
}

GuestOutcome outcomeOf(const ExitRecord& r) {
  switch (r.kind) {
  case ExitRecord::Exit:
    return {GuestOutcome::Program, r.status, ""};
  case ExitRecord::Signal:
    // As a shell and `docker run` report it; the line tells it from a program's exit(128+N).
    return {GuestOutcome::Program, 128 + r.status,
            "the program was killed by " + signalNameOf(r.status) + " (status 128+" +
                std::to_string(r.status) + ")"};
  case ExitRecord::Panic:
    if (r.status == kGuestKernelHalt)
      return {GuestOutcome::Panic, kExitGuestPanic,
              "guest kernel halted (out of memory, or every thread of the program blocked "
              "forever)"};
    return {GuestOutcome::Panic, kExitGuestPanic, "guest kernel panic (fatal kernel fault)"};
  case ExitRecord::BootFailure:
    return {GuestOutcome::Panic, kExitGuestPanic,
            "guest boot loader failed (its message is above)"};
  }
  return {GuestOutcome::QemuFailed, kExitQemuFailed, "unknown exit record"};
}

} // namespace

std::optional<ExitRecord> parseExitRecord(const std::string& text) {
  static const std::string kPrefix = "nanos-exit: ";
  std::optional<ExitRecord> last;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
      break; // an unfinished line: the VM stopped while writing it
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.compare(0, kPrefix.size(), kPrefix) == 0)
      if (auto r = parseRecordLine(line.substr(kPrefix.size())))
        last = r;
    start = end + 1;
  }
  return last;
}

GuestOutcome mapGuestExit(int code, bool qemuReportedError,
                          const std::optional<ExitRecord>& record) {
  if (!record)
    return mapQemuExit(code, qemuReportedError);
  // QEMU must have ended the way the guest meant to end it: through isa-debug-exit with the
  // matching byte, or 0 (ACPI power-off when the image turns debug_exit off). Anything else
  // is QEMU's own failure after the guest had finished.
  bool consistent = code == 0 || code == (((debugExitByte(*record) << 1) | 1) & 0xFF);
  if (!consistent)
    return {GuestOutcome::QemuFailed, kExitQemuFailed,
            "QEMU failed (exit status " + std::to_string(code) + ") after the guest reported " +
                describe(*record)};
  return outcomeOf(*record);
}

GuestOutcome mapQemuExit(int code, bool qemuReportedError) {
  if (code == 0) {
    // ACPI power-off: the guest shut down without isa-debug-exit, so its status is lost.
    // Our images use debug_exit, where even exit(0) makes QEMU exit 1.
    return {GuestOutcome::Program, 0, ""};
  }
  if (code == 1 && qemuReportedError)
    return {GuestOutcome::QemuFailed, kExitQemuFailed, "QEMU failed (exit status 1)"};
  if ((code & 1) == 0)
    return {GuestOutcome::QemuFailed, kExitQemuFailed,
            "QEMU failed (exit status " + std::to_string(code) + ", not a guest exit status)"};
  // The OS truncated (guest << 1) | 1 to 8 bits, so guest codes >= 128 lose their top bit.
  int guest = code >> 1;
  if (guest == kGuestKernelFault)
    return {GuestOutcome::Panic, kExitGuestPanic, "guest kernel panic (fatal kernel fault)"};
  // 127 is also what a program exits with when it cannot start what it needs (glibc's
  // loader missing a library, a shell's "command not found"): without the exit channel the
  // two cannot be told apart, so the message names both; the guest's output above says which.
  if (guest == kGuestKernelHalt)
    return {GuestOutcome::Panic, kExitGuestPanic,
            "guest kernel halted (out of memory or unrecoverable error), or the program exited "
            "with 127 (e.g. a missing shared library)"};
  return {GuestOutcome::Program, guest, ""};
}

} // namespace runner
