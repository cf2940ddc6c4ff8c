#include "xen_status.h"

#include <cstdio>

namespace runner {
namespace {

// A decimal 0..255 with nothing else (a trailing newline or NUL from the guest allowed).
std::optional<int> parseStatus(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0' || text.back() == ' '))
    text.pop_back();
  if (text.empty() || text.size() > 3)
    return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > 255)
    return std::nullopt;
  return value;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

} // namespace

std::optional<XenShutdown> parseXlShutdownLine(const std::string& line) {
  unsigned domid = 0;
  int reason = 0, consumed = 0;
  if (std::sscanf(line.c_str(), "Domain %u has shut down, reason code %d%n", &domid, &reason,
                  &consumed) != 2 ||
      consumed <= 0)
    return std::nullopt;
  return XenShutdown{domid, reason};
}

GuestOutcome mapXenShutdown(int reason, const std::optional<std::string>& exitKey) {
  if (reason == static_cast<int>(XenShutdownReason::Crash))
    return {GuestOutcome::Panic, kExitGuestPanic, "guest kernel panic (the Xen domain crashed)"};
  if (reason == static_cast<int>(XenShutdownReason::Reboot))
    return {GuestOutcome::QemuFailed, kExitQemuFailed,
            "the guest rebooted instead of exiting (no exit status)"};
  if (reason == static_cast<int>(XenShutdownReason::Watchdog))
    return {GuestOutcome::QemuFailed, kExitQemuFailed, "the guest's Xen watchdog fired"};
  if (reason != static_cast<int>(XenShutdownReason::Poweroff))
    return {GuestOutcome::QemuFailed, kExitQemuFailed,
            "the guest stopped with Xen shutdown reason " + std::to_string(reason)};
  if (!exitKey)
    return {GuestOutcome::QemuFailed, kExitQemuFailed,
            "the guest powered off without an exit status (no xenstore key " +
                std::string(kXenExitKey) + ")"};
  std::optional<int> status = parseStatus(*exitKey);
  if (!status)
    return {GuestOutcome::QemuFailed, kExitQemuFailed,
            "the guest's exit status '" + trim(*exitKey) + "' (" + kXenExitKey +
                ") is not a number from 0 to 255"};
  // The same special codes as the QEMU channel (exit_status.cc).
  if (*status == kGuestKernelFault)
    return {GuestOutcome::Panic, kExitGuestPanic, "guest kernel panic (fatal kernel fault)"};
  if (*status == kGuestKernelHalt)
    return {GuestOutcome::Panic, kExitGuestPanic,
            "guest kernel halted (out of memory or unrecoverable error), or the program exited "
            "with 127 (e.g. a missing shared library)"};
  return {GuestOutcome::Program, *status, ""};
}

// "libxl: error: libxl_create.c:1613:domcreate_rebuild_done: Domain 1:cannot build" ->
// "cannot build": the source location and domain prefix mean nothing to a user.
static std::string stripLibxlPrefix(std::string text) {
  const std::string prefix = "libxl: error: ";
  if (text.rfind(prefix, 0) != 0)
    return text;
  text = text.substr(prefix.size());
  size_t pos = 0;
  for (int field = 0; field < 3 && pos != std::string::npos; ++field) // file, line, function
    pos = text.find(':', pos == 0 ? 0 : pos + 1);
  if (pos == std::string::npos)
    return text;
  text = trim(text.substr(pos + 1));
  if (text.rfind("Domain ", 0) == 0 && text.find(':') != std::string::npos)
    text = trim(text.substr(text.find(':') + 1));
  return text;
}

std::string summarizeXlErrors(const std::vector<std::string>& lines) {
  std::string lastLine;
  for (const std::string& raw : lines) {
    std::string line = trim(raw);
    if (line.empty())
      continue;
    // The first error is the cause; libxl's later ones report its consequences.
    if (line.find("error") != std::string::npos || line.find("Error") != std::string::npos)
      return stripLibxlPrefix(line);
    lastLine = line;
  }
  return lastLine;
}

} // namespace runner
