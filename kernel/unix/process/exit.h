// How the program ends: exit_group, death by signal (with a report), and the manifest rules
// that turn the status into the VM's exit code (expected_exit_code, boot_timing).
#pragma once

#include "arch/x86_64/user.h"

#include <stdint.h>

namespace unix {

constexpr int kExitDeadlock = 127; // the only thread blocked forever: halt, as Nanos' 0x7F

// How the program ended: by its own exit (its TCP data is then given up to 2 s to reach the
// peers, as if its sockets had been closed) or abruptly (a signal, the deadlock report: the
// kernel may be in a fault or in the scheduler, where it must not sleep).
enum class ExitKind { kOrderly, kAbrupt };

// Ends the program with `status` (0..255) and leaves the VM.
[[noreturn]] void exit_program(int status, ExitKind kind = ExitKind::kOrderly);
// Death by signal: prints the signal, the faulting address and (with a frame) the
// registers, then exits with the signal number (SIGSEGV -> 11).
[[noreturn]] void kill_program(int signal, const arch::TrapFrame* frame, uint64_t addr);

struct UnameStrings {
  const char* sysname;
  const char* release;
};
const UnameStrings& uname_strings();

} // namespace unix
