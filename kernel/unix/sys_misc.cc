// Small syscalls found missing while bringing up Debian's programs (tests/debian), and the
// memory syscalls added with them (implemented in memory.cc next to the rest of the map).
#include "unix/memory.h"
#include "unix/syscall.h"

namespace unix {

void register_misc_syscalls() {
  register_syscall(26, "msync", 3, [](const SyscallArgs& a) {
    return sys_msync(a.u(0), a.u(1), a.i(2));
  });
  register_syscall(27, "mincore", 3, [](const SyscallArgs& a) {
    return sys_mincore(a.u(0), a.u(1), a.p<uint8_t>(2));
  });
}

} // namespace unix
