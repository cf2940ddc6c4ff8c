// The syscall table: Linux x86-64 numbers -> handlers, with `trace` logging.
#pragma once

#include <stdint.h>

namespace unix {

struct SyscallArgs {
  long a[6];
  uint64_t u(int i) const { return static_cast<uint64_t>(a[i]); }
  int i(int n) const { return static_cast<int>(a[n]); }
  template <typename T> T* p(int n) const { return reinterpret_cast<T*>(a[n]); }
};

using SyscallHandler = long (*)(const SyscallArgs&);

// Registers a handler; `string_args` is a bit mask of arguments that are user strings
// (paths), shown quoted in the trace.
void register_syscall(int nr, const char* name, int nargs, SyscallHandler fn,
                      unsigned string_args = 0);

// Registration by area (sys_file.cc, sys_process.cc, sys_memory.cc).
void register_file_syscalls();
void register_process_syscalls();
void register_memory_syscalls();
void register_pipe_syscalls();
void register_poll_syscalls();
void register_epoll_syscalls();
void register_timerfd_syscalls();
void register_signalfd_syscalls();
void register_socket_syscalls();
void register_timer_syscalls(); // also clock_getres

// Name of a syscall for messages ("syscall_<nr>" style names are not kept: nullptr).
const char* syscall_name(long nr);

} // namespace unix
