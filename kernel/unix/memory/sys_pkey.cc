// Memory protection keys: the kernel does not turn on PKU (CR4.PKE), so pkey_alloc fails as
// Linux's does on a CPU without OSPKE -- EINVAL (it cannot set the key's rights; checked on
// this project's host, Linux 6.18 without PKU) -- and programs (V8) go on without keys.
// pkey_free of a key never allocated is EINVAL.
#include "lib/errno.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {

SyscallResult sys_pkey_alloc(const SyscallArgs& a) {
  constexpr unsigned long kDisableAccess = 1, kDisableWrite = 2;
  if (a.u(0) != 0 || (a.u(1) & ~(kDisableAccess | kDisableWrite)))
    return Err(-EINVAL);
  return Err(-EINVAL); // no OSPKE: as Linux, the same answer as for bad arguments
}

SyscallResult sys_pkey_free(const SyscallArgs&) {
  return Err(-EINVAL);
}

} // namespace unix
