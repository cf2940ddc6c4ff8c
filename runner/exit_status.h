// nanos-run's exit statuses (documented in docs/nanos-run.md) and the mapping from what the
// guest reported -- its exit record on the exit channel, else QEMU's isa-debug-exit status --
// to the status nanos-run returns.
#pragma once

#include <optional>
#include <string>

namespace runner {

// Statuses nanos-run itself produces. The program's own status passes through unchanged,
// so a program exiting with one of these numbers is told apart only by the absence of the
// "nanos-run: ..." line on stderr.
inline constexpr int kExitQemuFailed =
    122; // hypervisor started but failed (bad option, no KVM, crash)
inline constexpr int kExitTimeout = 124;     // --timeout expired; the VM was stopped
inline constexpr int kExitUsage = 125;       // bad command line, image missing, setup failure
inline constexpr int kExitGuestPanic = 126;  // guest kernel fault/panic/halt, boot failure
inline constexpr int kExitQemuMissing = 127; // hypervisor executable not found

// Guest-side special codes (nanos-image-format.md §6).
inline constexpr int kGuestKernelFault = 126;
inline constexpr int kGuestKernelHalt = 127;

struct GuestOutcome {
  enum Kind {
    Program,    // the program exited: status = its code (128+N if killed by signal N)
    Panic,      // the guest kernel or boot loader died: status = kExitGuestPanic
    QemuFailed, // QEMU exited without a guest status: status = kExitQemuFailed
  } kind;
  int status;
  std::string message; // one line for stderr ("" for a program's own exit)
};

// The kernel's exit record, one line on the exit channel (a second serial port;
// kernel/drivers/exit_record.h has the wire format: "nanos-exit: <kind> <status>").
struct ExitRecord {
  enum Kind { Exit, Signal, Panic, BootFailure } kind;
  int status;
};

// The last well-formed record in what the channel received, or nothing (an old kernel, an
// image booted by something else, or a VM that died before writing one).
std::optional<ExitRecord> parseExitRecord(const std::string& channelContents);

// Maps QEMU's exit code (from waitpid, not killed by a signal) and the exit record, if the
// guest wrote one. qemuReportedError tells whether QEMU printed an error line of its own on
// stderr: QEMU exits 1 both for its own errors and for a guest exit(0) through
// isa-debug-exit ((0 << 1) | 1).
GuestOutcome mapGuestExit(int qemuExitCode, bool qemuReportedError,
                          const std::optional<ExitRecord>& record);

// The isa-debug-exit part alone (no record): 7 bits of status, 126/127 ambiguous.
GuestOutcome mapQemuExit(int qemuExitCode, bool qemuReportedError);

// Whether a line QEMU printed on stderr is an error (not a "warning:" or "info:" line).
bool isQemuErrorLine(const std::string& line);

// "SIGSEGV" for 11, ... ("signal N" for others).
std::string signalNameOf(int signal);

} // namespace runner
