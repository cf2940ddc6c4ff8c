// The syscall table built from syscall_table.def: number -> name, handler and how `trace`
// prints the call.
#pragma once

#include "unix/syscall/syscall.h"

#include <stdint.h>

namespace unix {

enum SyscallFlags : uint8_t {
  kNoFlags = 0,
  kRestartable = 1, // restarted after an SA_RESTART handler instead of failing with EINTR
};

struct SyscallEntry {
  const char* name;
  SyscallHandler handler;
  uint8_t nargs;
  uint8_t string_args; // bit i: argument i is a user string
  uint8_t flags;       // SyscallFlags
};

// One past the highest syscall number the table can hold.
constexpr int kSyscallSlots = 451;

struct SyscallTable {
  SyscallEntry rows[kSyscallSlots];
};
// Built at compile time from syscall_table.def (syscall_table.cc).
extern const SyscallTable g_syscall_table;

// The row for `nr`, or nullptr when this kernel does not implement it. Inline: every
// system call asks, and under emulation each call instruction counts.
inline const SyscallEntry* syscall_entry(long nr) {
  if (nr < 0 || nr >= kSyscallSlots || !g_syscall_table.rows[nr].handler)
    return nullptr;
  return &g_syscall_table.rows[nr];
}

// Linux's name for a syscall number, implemented here or not (nullptr: no such number).
const char* syscall_name(long nr);

} // namespace unix
