// Thread syscalls (sys_thread.cc) and futex registration, called from
// register_process_syscalls().
#pragma once

namespace unix {
void register_thread_syscalls();
} // namespace unix
