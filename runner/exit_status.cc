#include "exit_status.h"

namespace runner {

bool isQemuErrorLine(const std::string& line) {
  if (line.empty())
    return false;
  return line.find("warning:") == std::string::npos && line.find("info:") == std::string::npos;
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
  // loader missing a library, a shell's "command not found"): the protocol cannot tell
  // the two apart, so the message names both; the guest's output above says which.
  if (guest == kGuestKernelHalt)
    return {GuestOutcome::Panic, kExitGuestPanic,
            "guest kernel halted (out of memory or unrecoverable error), or the program exited "
            "with 127 (e.g. a missing shared library)"};
  return {GuestOutcome::Program, guest, ""};
}

} // namespace runner
