// What a syscall handler sees: its arguments (SyscallArgs) and what it returns
// (SyscallResult). The table of handlers is syscall_table.def; the dispatcher is syscall.cc.
#pragma once

#include "arch/x86_64/user_ptr.h"
#include "lib/error_or.h"

#include <stdint.h>

namespace unix {

// The six raw argument registers, read through typed accessors: a handler says what each
// argument is (an int, an unsigned value, a user pointer) where it reads it.
struct SyscallArgs {
  long a[6];
  uint64_t u(int n) const { return static_cast<uint64_t>(a[n]); }
  int64_t s(int n) const { return a[n]; } // signed 64-bit: offsets, lengths, timer ids
  int i(int n) const { return static_cast<int>(a[n]); }
  // A user pointer: only the copy helpers in usercopy.h can reach its memory.
  template <typename T> UserPtr<T> user(int n) const { return UserPtr<T>(u(n)); }
};

// A handler's result: the value the program gets (>= 0, or an address), or a negative
// errno as the error. The dispatcher turns it into the raw return register.
//
// Transitional: handlers not yet converted may still return a negative errno as a *value*
// (`return -EBADF;` converts implicitly); the raw register is the same, so the program sees
// no difference, but TRY cannot see such an error. New code returns Err(-EBADF).
using SyscallResult = ErrorOr<long>;

using SyscallHandler = SyscallResult (*)(const SyscallArgs&);

// The raw register value of a result (what the program sees).
inline long syscall_raw_result(const SyscallResult& r) {
  return r.ok() ? r.value() : r.error();
}

} // namespace unix
