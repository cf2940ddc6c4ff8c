// The legacy vsyscall page at 0xffffffffff600000, as Linux's default (vsyscall=xonly):
// nothing is mapped there, so a call into it faults as an instruction fetch, and the fault
// handler performs the call. Old static binaries (glibc before 2.14, some Go and Rust
// toolchains' fallbacks) call its three entries; a read of the page stays a SIGSEGV.
#pragma once

#include "arch/x86_64/user.h"

#include <stdint.h>

namespace unix {

// An instruction fetch at `addr` faulted. When it is a call of a vsyscall entry
// (gettimeofday at +0x000, time at +0x400, getcpu at +0x800), performs it, returns to the
// caller (the return address on the user stack) with the result in rax, and returns true
// after updating *frame. False: not a vsyscall, the caller delivers SIGSEGV.
bool emulate_vsyscall(arch::TrapFrame* frame, uint64_t addr);

} // namespace unix
