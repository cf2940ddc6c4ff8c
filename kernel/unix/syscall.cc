#include "unix/syscall.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/kprintf.h"
#include "unix/process.h"
#include "unix/signal.h"
#include "unix/syscall_summary.h"

namespace unix {
namespace {

constexpr int kMaxSyscall = 451;

struct Entry {
  const char* name;
  SyscallHandler fn;
  uint8_t nargs;
  uint8_t string_args;
};
Entry g_table[kMaxSyscall];

void trace_call(long nr, const SyscallArgs& a, long result) {
  const Entry& e = g_table[nr];
  kprintf("%s(", e.name);
  for (int i = 0; i < e.nargs; ++i) {
    if (e.string_args & (1u << i)) {
      char s[64];
      long n = strncpy_from_user(s, reinterpret_cast<const char*>(a.a[i]), sizeof s);
      if (n >= 0 || n == -ENAMETOOLONG)
        kprintf("%s\"%s\"%s", i ? ", " : "", s, n < 0 ? "..." : "");
      else
        kprintf("%s%#lx", i ? ", " : "", static_cast<unsigned long>(a.a[i]));
    } else {
      kprintf("%s%#lx", i ? ", " : "", static_cast<unsigned long>(a.a[i]));
    }
  }
  if (result < 0 && result > -4096)
    kprintf(") = %ld\n", result);
  else
    kprintf(") = %#lx\n", static_cast<unsigned long>(result));
}

// Syscalls Linux restarts after a handler with SA_RESTART (its -ERESTARTSYS cases among
// what this kernel can block in). poll, select, epoll_wait, nanosleep, futex and
// sigsuspend-like calls are not: they return -EINTR whatever the flags, as on Linux.
bool restartable(long nr) {
  switch (nr) {
  case 0:   // read
  case 1:   // write
  case 17:  // pread64
  case 18:  // pwrite64
  case 19:  // readv
  case 20:  // writev
  case 44:  // sendto
  case 45:  // recvfrom
  case 46:  // sendmsg
  case 47:  // recvmsg
  case 61:  // wait4
  case 295: // preadv
  case 296: // pwritev
    return true;
  default:
    return false;
  }
}

} // namespace

void register_syscall(int nr, const char* name, int nargs, SyscallHandler fn, unsigned string_args) {
  if (nr >= 0 && nr < kMaxSyscall)
    g_table[nr] = Entry{name, fn, static_cast<uint8_t>(nargs), static_cast<uint8_t>(string_args)};
}

const char* syscall_name(long nr) {
  return nr >= 0 && nr < kMaxSyscall ? g_table[nr].name : nullptr;
}

} // namespace unix

extern "C" long unix_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
  using namespace unix;
  SyscallArgs args{{a0, a1, a2, a3, a4, a5}};
  ktime::poll_calibration(); // the vDSO's clock reads never enter the kernel
  bool trace = process().trace;
  if (nr < 0 || nr >= kMaxSyscall || !g_table[nr].fn) {
    if (trace)
      kprintf("syscall_%ld(%#lx, %#lx, %#lx, ...) = -%d (not implemented)\n", nr,
              static_cast<unsigned long>(a0), static_cast<unsigned long>(a1),
              static_cast<unsigned long>(a2), ENOSYS);
    return -ENOSYS;
  }
  if (nr == 60 || nr == 231) { // exit never returns: log the call first
    if (trace)
      trace_call(nr, args, 0);
    if (process().syscall_summary)
      summary_record_syscall(nr, 0, 0);
  }
  bool summary = process().syscall_summary;
  uint64_t t0 = summary ? cpu::rdtsc() : 0;
  long r = g_table[nr].fn(args);
  if (summary)
    summary_record_syscall(nr, r, cpu::rdtsc() - t0);
  if (trace)
    trace_call(nr, args, r);
  return deliver_pending(r, restartable(nr) ? nr : -1);
}
