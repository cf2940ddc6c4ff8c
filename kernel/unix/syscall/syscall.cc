#include "unix/syscall/syscall.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/kprintf.h"
#include "unix/process/process.h"
#include "unix/signal/signal.h"
#include "unix/syscall/syscall_summary.h"
#include "unix/syscall/syscall_table.h"

namespace unix {
namespace {

void trace_call(const SyscallEntry& e, const SyscallArgs& a, long result) {
  kprintf("%s(", e.name);
  for (int i = 0; i < e.nargs; ++i) {
    if (e.string_args & (1u << i)) {
      char s[64];
      auto n = strncpy_from_user(s, a.user<const char>(i), sizeof s);
      if (n.ok() || n.error() == -ENAMETOOLONG)
        kprintf("%s\"%s\"%s", i ? ", " : "", s, n.ok() ? "" : "...");
      else
        kprintf("%s%#lx", i ? ", " : "", static_cast<unsigned long>(a.u(i)));
    } else {
      kprintf("%s%#lx", i ? ", " : "", static_cast<unsigned long>(a.u(i)));
    }
  }
  if (result < 0 && result > -4096)
    kprintf(") = %ld\n", result);
  else
    kprintf(") = %#lx\n", static_cast<unsigned long>(result));
}

} // namespace

} // namespace unix

extern "C" long unix_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
  using namespace unix;
  SyscallArgs args{{a0, a1, a2, a3, a4, a5}};
  ktime::poll_calibration(); // the vDSO's clock reads never enter the kernel
  bool trace = process().trace;
  const SyscallEntry* entry = syscall_entry(nr);
  if (!entry) {
    if (trace) {
      if (const char* name = syscall_name(nr))
        kprintf("%s(", name);
      else
        kprintf("syscall_%ld(", nr);
      kprintf("%#lx, %#lx, %#lx, ...) = -%d (not implemented)\n", static_cast<unsigned long>(a0),
              static_cast<unsigned long>(a1), static_cast<unsigned long>(a2), ENOSYS);
    }
    if (process().syscall_summary)
      summary_record_syscall(nr, -ENOSYS, 0); // counted (as an error) like strace -c does
    return -ENOSYS;
  }
  if (nr == 60 || nr == 231) { // exit never returns: log the call first
    if (trace)
      trace_call(*entry, args, 0);
    if (process().syscall_summary)
      summary_record_syscall(nr, 0, 0);
  }
  bool summary = process().syscall_summary;
  uint64_t t0 = summary ? cpu::rdtsc() : 0;
  long r = syscall_raw_result(entry->handler(args));
  if (summary)
    summary_record_syscall(nr, r, cpu::rdtsc() - t0);
  if (trace)
    trace_call(*entry, args, r);
  return deliver_pending(r, (entry->flags & kRestartable) ? nr : -1);
}
