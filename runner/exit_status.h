// nanos-run's exit statuses (documented in docs/nanos-run.md) and the mapping from QEMU's
// exit status to the guest program's.
#pragma once

#include <string>

namespace runner {

// Statuses nanos-run itself produces. The program's own status passes through unchanged,
// so a program exiting with one of these numbers is told apart only by the absence of the
// "nanos-run: ..." line on stderr.
inline constexpr int kExitQemuFailed =
    122; // hypervisor started but failed (bad option, no KVM, crash)
inline constexpr int kExitTimeout = 124;     // --timeout expired; the VM was stopped
inline constexpr int kExitUsage = 125;       // bad command line, image missing, setup failure
inline constexpr int kExitGuestPanic = 126;  // guest kernel fault/panic (guest code 126)
inline constexpr int kExitQemuMissing = 127; // hypervisor executable not found

// Guest-side special codes (nanos-image-format.md §6).
inline constexpr int kGuestKernelFault = 126;
inline constexpr int kGuestKernelHalt = 127;

struct GuestOutcome {
  enum Kind {
    Program,    // the program exited (or died by a signal): status = its code
    Panic,      // the guest kernel died: status = kExitGuestPanic
    QemuFailed, // QEMU exited without a guest status: status = kExitQemuFailed
  } kind;
  int status;
  std::string message; // one line for stderr ("" for Program)
};

// Maps QEMU's exit code (from waitpid, not killed by a signal). qemuReportedError tells
// whether QEMU printed an error line of its own on stderr: QEMU exits 1 both for its own
// errors and for a guest exit(0) through isa-debug-exit ((0 << 1) | 1).
GuestOutcome mapQemuExit(int qemuExitCode, bool qemuReportedError);

// Whether a line QEMU printed on stderr is an error (not a "warning:" or "info:" line).
bool isQemuErrorLine(const std::string& line);

} // namespace runner
