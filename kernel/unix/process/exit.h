// How the program ends: exit_group, death by signal (with a report), and the manifest rules
// that turn the status into the VM's exit code (expected_exit_code, boot_timing).
#pragma once

#include "arch/x86_64/exit.h"
#include "arch/x86_64/user.h"

#include <stdint.h>

namespace unix {

// The only thread blocked forever: the kernel halts the program (a kernel-halt report, as
// Nanos' 0x7F), which the host tells apart from a program's own exit(127).
constexpr int kExitDeadlock = kExitKernelHalt;

// How the program ended: by its own exit (its TCP data is then given up to 2 s to reach the
// peers, as if its sockets had been closed) or abruptly (a signal, the deadlock report: the
// kernel may be in a fault or in the scheduler, where it must not sleep).
enum class ExitKind { kOrderly, kAbrupt };

// Ends the program with `status` (its low 8 bits, as Linux) and leaves the VM.
[[noreturn]] void exit_program(int status, ExitKind kind = ExitKind::kOrderly);
// The common way out: the at-exit reports, the manifest's expected_exit_code (program exits
// only), the last network data and file writes, then machine_exit(report).
[[noreturn]] void end_program(ExitReport report, ExitKind kind);
// Death by signal: prints the signal, the faulting address and (with a frame) the
// registers, then ends with a killed-by-signal report (the host sees 128+N, as a shell).
[[noreturn]] void kill_program(int signal, const arch::TrapFrame* frame, uint64_t addr);

struct UnameStrings {
  const char* sysname;
  const char* release;
};
const UnameStrings& uname_strings();

} // namespace unix
