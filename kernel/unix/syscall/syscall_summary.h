// `syscall_summary` (manifest flag, as in Nanos): per-system-call counts, errors and time
// spent in the kernel, plus user page faults, printed as a table when the program exits.
// The time is the handler's own (TSC from dispatch to return, blocking included, like
// `strace -c`); the cost of entering and leaving the kernel is not in it, but the number of
// entries is, which is what to look at when each entry is expensive (kvm-pvm).
#pragma once

#include <stdint.h>

namespace unix {

// Recorded only when the manifest asks for the summary (the callers check).
void summary_record_syscall(long nr, long result, uint64_t tsc_spent);
void summary_record_fault(uint64_t tsc_spent);
// The table, on the console; nothing when the summary is off or nothing was recorded.
void print_syscall_summary();

} // namespace unix
