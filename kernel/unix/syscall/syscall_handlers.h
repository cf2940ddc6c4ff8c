// Declarations of every syscall handler, `sys_<name>`, generated from syscall_table.def so
// a handler and its table row cannot disagree on the name. The definitions live in the
// sys_*.cc file of their area (grep for `SyscallResult sys_<name>`).
#pragma once

#include "unix/syscall/syscall.h"

namespace unix {

#define SYSCALL(number, name, nargs, string_args, flags)                                           \
  SyscallResult sys_##name(const SyscallArgs& args);
#include "unix/syscall/syscall_table.def"

// Boot-time setup the file handlers need (the /proc/self/fd refresh hook), from start.cc.
void init_file_syscalls();

} // namespace unix
