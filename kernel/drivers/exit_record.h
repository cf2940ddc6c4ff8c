// The exit record: the one line the kernel writes to the host's exit channel when the VM
// ends, read back by nanos-run (runner/exit_status.cc). Its wire format, one ASCII line:
//
//   nanos-exit: <kind> <status>\n
//
// kind is `exit` (the program exited with status 0..255), `signal` (killed by signal
// status), `panic` (the kernel gave up: status 126 panic/fault, 127 halt) or `boot-failure`
// (the boot loader stopped; written by kernel/boot, never by the kernel). Freestanding:
// no allocation, no formatting library.
#pragma once

#include "arch/x86_64/exit.h"

#include <stddef.h>

namespace exit_channel {

// Enough for the longest record ("nanos-exit: signal 2147483647\n").
inline constexpr size_t kMaxRecordLength = 48;

// Writes the record for `report` into out[0..capacity) and returns its length (no NUL);
// 0 if it does not fit.
size_t format_record(const ExitReport& report, char* out, size_t capacity);

} // namespace exit_channel
