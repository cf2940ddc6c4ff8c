// Process, identity, time and signal-state syscalls (threads, futex: sys_thread.cc, futex.cc).
#include "arch/x86_64/random.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/user.h"
#include "arch/x86_64/usercopy.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/vm.h"
#include "unix/exit.h"
#include "unix/linux_abi.h"
#include "unix/memory.h"
#include "unix/process.h"
#include "sched/thread.h"
#include "sched/wait.h"
#include "unix/signal.h"
#include "unix/syscall_handlers.h"

namespace unix {
namespace {

constexpr int kSigKill = 9, kSigStop = 19;

} // namespace

SyscallResult sys_exit_group(const SyscallArgs& a) {
  exit_program(a.i(0) & 0xFF);
}

SyscallResult sys_arch_prctl(const SyscallArgs& a) {
  uint64_t addr = a.u(1);
  switch (a.i(0)) {
  case 0x1001: // ARCH_SET_GS
  case 0x1002: // ARCH_SET_FS
    if (addr >= kUserAddressEnd)
      return -EPERM;
    if (a.i(0) == 0x1002)
      arch::set_fs_base(addr);
    else
      arch::set_gs_base(addr);
    return 0;
  case 0x1003: { // ARCH_GET_FS
    uint64_t v = arch::fs_base();
    return copy_to_user(a.p<void>(1), &v, sizeof v);
  }
  case 0x1004: { // ARCH_GET_GS
    uint64_t v = arch::gs_base();
    return copy_to_user(a.p<void>(1), &v, sizeof v);
  }
  default:
    return -EINVAL;
  }
}

SyscallResult sys_getpid(const SyscallArgs&) {
  return kPid;
}

SyscallResult sys_getppid(const SyscallArgs&) {
  return 1;
}

namespace {
long sys_zero(const SyscallArgs&) {
  return 0; // getuid & co: everything runs as root
}

// ---- resource limits ----
linux::rlimit g_limits[16] = {
    {~0ull, ~0ull}, {~0ull, ~0ull}, {~0ull, ~0ull}, {8ull << 20, ~0ull}, // CPU FSIZE DATA STACK
    {0, ~0ull},     {~0ull, ~0ull}, {~0ull, ~0ull}, {kMaxFds, kMaxFds},  // CORE RSS NPROC NOFILE
    {64 << 20, 64 << 20}, {~0ull, ~0ull}, {~0ull, ~0ull}, {0, 0},        // MEMLOCK AS LOCKS SIGPENDING
    {819200, 819200}, {0, 0}, {0, 0}, {~0ull, ~0ull}};                   // MSGQUEUE NICE RTPRIO RTTIME

long do_prlimit(int resource, const linux::rlimit* new_limit, linux::rlimit* old_limit) {
  if (resource < 0 || resource >= 16)
    return -EINVAL;
  linux::rlimit next;
  if (new_limit) {
    if (copy_from_user(&next, new_limit, sizeof next) < 0)
      return -EFAULT;
    if (next.cur > next.max)
      return -EINVAL;
  }
  if (old_limit && copy_to_user(old_limit, &g_limits[resource], sizeof g_limits[0]) < 0)
    return -EFAULT;
  if (new_limit)
    g_limits[resource] = next;
  return 0;
}
} // namespace

SyscallResult sys_prlimit64(const SyscallArgs& a) {
  if (a.i(0) != 0 && a.i(0) != kPid)
    return -ESRCH;
  return do_prlimit(a.i(1), a.p<const linux::rlimit>(2), a.p<linux::rlimit>(3));
}

SyscallResult sys_getrlimit(const SyscallArgs& a) {
  return do_prlimit(a.i(0), nullptr, a.p<linux::rlimit>(1));
}

SyscallResult sys_setrlimit(const SyscallArgs& a) {
  return do_prlimit(a.i(0), a.p<const linux::rlimit>(1), nullptr);
}

SyscallResult sys_uname(const SyscallArgs& a) {
  linux::utsname u;
  memset(&u, 0, sizeof u);
  const UnameStrings& names = uname_strings();
  klib::strlcpy(u.sysname, names.sysname, sizeof u.sysname);
  klib::strlcpy(u.nodename, "nanos", sizeof u.nodename);
  klib::strlcpy(u.release, names.release, sizeof u.release);
  klib::strlcpy(u.version, "#1 SMP", sizeof u.version);
  klib::strlcpy(u.machine, "x86_64", sizeof u.machine);
  klib::strlcpy(u.domainname, "(none)", sizeof u.domainname);
  return copy_to_user(a.p<void>(0), &u, sizeof u);
}

SyscallResult sys_getrandom(const SyscallArgs& a) {
  if (a.u(2) & ~7ull)
    return -EINVAL;
  uint8_t chunk[256];
  size_t len = a.u(1), done = 0;
  while (done < len) {
    size_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
    random_bytes(chunk, n);
    if (copy_to_user(a.p<uint8_t>(0) + done, chunk, n) < 0)
      return done ? static_cast<long>(done) : -EFAULT;
    done += n;
  }
  return static_cast<long>(done);
}

namespace {

// ---- time ----
long clock_ns(int clock, uint64_t* ns) {
  switch (clock) {
  case 0: // CLOCK_REALTIME
  case 5: // CLOCK_REALTIME_COARSE
  case 8: // CLOCK_REALTIME_ALARM
  case 11: // CLOCK_TAI
    *ns = ktime::realtime_ns();
    return 0;
  case 1: case 2: case 3: case 4: case 6: case 7: case 9: // monotonic, cputime, boottime
    *ns = ktime::monotonic_ns();
    return 0;
  default:
    return -EINVAL;
  }
}
linux::timespec to_timespec(uint64_t ns) {
  return {static_cast<int64_t>(ns / 1000000000), static_cast<int64_t>(ns % 1000000000)};
}
} // namespace

SyscallResult sys_clock_gettime(const SyscallArgs& a) {
  uint64_t ns;
  long r = clock_ns(a.i(0), &ns);
  if (r < 0)
    return r;
  linux::timespec ts = to_timespec(ns);
  return copy_to_user(a.p<void>(1), &ts, sizeof ts);
}

SyscallResult sys_gettimeofday(const SyscallArgs& a) {
  if (a.a[0]) {
    uint64_t ns = ktime::realtime_ns();
    linux::timeval tv{static_cast<int64_t>(ns / 1000000000), static_cast<int64_t>(ns % 1000000000 / 1000)};
    if (copy_to_user(a.p<void>(0), &tv, sizeof tv) < 0)
      return -EFAULT;
  }
  if (a.a[1]) {
    int32_t tz[2] = {0, 0};
    if (copy_to_user(a.p<void>(1), tz, sizeof tz) < 0)
      return -EFAULT;
  }
  return 0;
}

SyscallResult sys_time(const SyscallArgs& a) {
  auto t = static_cast<int64_t>(ktime::realtime_ns() / 1000000000);
  if (a.a[0] && copy_to_user(a.p<void>(0), &t, sizeof t) < 0)
    return -EFAULT;
  return t;
}

namespace {
// Sleeps in sched::wait (other threads run meanwhile) until the request passes. A signal
// ends it early with -EINTR and, for relative requests, the time left in *urem.
long sleep_for(const linux::timespec* ureq, bool absolute, int clock, linux::timespec* urem) {
  linux::timespec req;
  if (copy_from_user(&req, ureq, sizeof req) < 0)
    return -EFAULT;
  if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= 1000000000)
    return -EINVAL;
  uint64_t ns = req.tv_sec > 10000000000ll
                    ? ~0ull / 2 // past the year 2286: forever, without overflowing below
                    : static_cast<uint64_t>(req.tv_sec) * 1000000000 + static_cast<uint64_t>(req.tv_nsec);
  uint64_t now = ktime::monotonic_ns();
  uint64_t deadline;
  if (!absolute) {
    deadline = now + ns;
  } else {
    uint64_t clock_now;
    long r = clock_ns(clock, &clock_now);
    if (r < 0)
      return r;
    // The monotonic clocks are ktime's; realtime ones are converted at the time of the call.
    deadline = ns > clock_now ? now + (ns - clock_now) : now;
  }
  sched::WaitQueue nobody; // nothing wakes a sleep but its deadline or a signal
  for (;;) {
    int r = sched::wait(nobody, deadline, "nanosleep");
    if (r == -ETIMEDOUT)
      return 0;
    if (r == -EINTR) {
      if (!absolute && urem) {
        uint64_t t = ktime::monotonic_ns();
        linux::timespec rem = to_timespec(deadline > t ? deadline - t : 0);
        if (copy_to_user(urem, &rem, sizeof rem) < 0)
          return -EFAULT;
      }
      return -EINTR;
    }
  }
}
} // namespace

SyscallResult sys_nanosleep(const SyscallArgs& a) {
  return sleep_for(a.p<const linux::timespec>(0), false, 1, a.p<linux::timespec>(1));
}

SyscallResult sys_clock_nanosleep(const SyscallArgs& a) {
  uint64_t ns;
  long r = clock_ns(a.i(0), &ns);
  if (r < 0)
    return r;
  if (a.i(0) == 2 || a.i(0) == 3) // CPU-time clocks: not sleepable here
    return -EOPNOTSUPP;
  return sleep_for(a.p<const linux::timespec>(2), a.i(1) & 1, a.i(0), a.p<linux::timespec>(3));
}

SyscallResult sys_sched_getaffinity(const SyscallArgs& a) {
  if (a.u(1) < 8 || (a.u(1) & 7))
    return -EINVAL;
  uint64_t mask = 1; // one CPU
  if (copy_to_user(a.p<void>(2), &mask, sizeof mask) < 0)
    return -EFAULT;
  return 8;
}

// One CPU: any mask that includes CPU 0 is accepted (and changes nothing).
SyscallResult sys_sched_setaffinity(const SyscallArgs& a) {
  if (a.u(1) == 0)
    return -EINVAL;
  uint8_t first;
  if (copy_from_user(&first, a.p<const void>(2), 1) < 0)
    return -EFAULT;
  return (first & 1) ? 0 : -EINVAL;
}

SyscallResult sys_getcpu(const SyscallArgs& a) {
  uint32_t zero = 0;
  if (a.a[0] && copy_to_user(a.p<void>(0), &zero, sizeof zero) < 0)
    return -EFAULT;
  if (a.a[1] && copy_to_user(a.p<void>(1), &zero, sizeof zero) < 0)
    return -EFAULT;
  return 0;
}

SyscallResult sys_sysinfo(const SyscallArgs& a) {
  struct {
    int64_t uptime;
    uint64_t loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint64_t totalhigh, freehigh;
    uint32_t mem_unit;
    char reserved[4];
  } info;
  memset(&info, 0, sizeof info);
  info.uptime = static_cast<int64_t>(ktime::monotonic_ns() / 1000000000);
  info.totalram = mm::total_page_count() * mm::kPageSize;
  info.freeram = mm::free_page_count() * mm::kPageSize;
  info.procs = 1;
  info.mem_unit = 1;
  return copy_to_user(a.p<void>(0), &info, sizeof info);
}

// ---- signals (delivery: signal.cc) ----
SyscallResult sys_rt_sigaction(const SyscallArgs& a) {
  int sig = a.i(0);
  if (sig < 1 || sig > kMaxSignal || a.u(3) != 8)
    return -EINVAL;
  Process& p = process();
  linux::sigaction next;
  if (a.a[1]) {
    if (sig == kSigKill || sig == kSigStop)
      return -EINVAL;
    if (copy_from_user(&next, a.p<const void>(1), sizeof next) < 0)
      return -EFAULT;
  }
  if (a.a[2] && copy_to_user(a.p<void>(2), &p.actions[sig], sizeof next) < 0)
    return -EFAULT;
  if (a.a[1])
    p.actions[sig] = next;
  return 0;
}

SyscallResult sys_rt_sigprocmask(const SyscallArgs& a) {
  if (a.u(3) != 8)
    return -EINVAL;
  Task& p = current_task(); // the mask is per thread
  uint64_t set = 0;
  if (a.a[1] && copy_from_user(&set, a.p<const void>(1), sizeof set) < 0)
    return -EFAULT;
  if (a.a[2] && copy_to_user(a.p<void>(2), &p.signal_mask, sizeof set) < 0)
    return -EFAULT;
  if (a.a[1]) {
    switch (a.i(0)) {
    case 0: p.signal_mask |= set; break;
    case 1: p.signal_mask &= ~set; break;
    case 2: p.signal_mask = set; break;
    default: return -EINVAL;
    }
    p.signal_mask &= ~((1ull << (kSigKill - 1)) | (1ull << (kSigStop - 1)));
  }
  return 0;
}

SyscallResult sys_sigaltstack(const SyscallArgs& a) {
  Task& p = current_task(); // per thread
  linux::stack_t next;
  if (a.a[0] && copy_from_user(&next, a.p<const void>(0), sizeof next) < 0)
    return -EFAULT;
  if (a.a[1] && copy_to_user(a.p<void>(1), &p.altstack, sizeof next) < 0)
    return -EFAULT;
  if (a.a[0]) {
    if (next.flags & ~(2 | (1 << 31)))
      return -EINVAL;
    if (!(next.flags & 2) && next.size < 2048)
      return -ENOMEM;
    p.altstack = next;
  }
  return 0;
}

namespace {

constexpr uint64_t kUnblockable = (1ull << (kSigKill - 1)) | (1ull << (kSigStop - 1));

bool valid_signal(int sig) {
  return sig >= 0 && sig <= kMaxSignal;
}
} // namespace

// kill: to the process (any thread that does not block it takes it).
SyscallResult sys_kill(const SyscallArgs& a) {
  if (a.i(0) != kPid && a.i(0) != 0 && a.i(0) != -1)
    return -ESRCH;
  int sig = a.i(1);
  if (!valid_signal(sig))
    return -EINVAL;
  if (sig && !signal_ignored(sig))
    raise_process_signal(sig);
  return 0;
}

namespace {
// tgkill/tkill: to one thread (pthread_kill, raise).
long signal_thread(int tid, int sig) {
  if (!valid_signal(sig))
    return -EINVAL;
  Task* t = find_task(tid);
  if (!t)
    return -ESRCH;
  if (sig && !signal_ignored(sig))
    raise_thread_signal(*t, sig);
  return 0;
}
} // namespace

SyscallResult sys_tgkill(const SyscallArgs& a) {
  if (a.i(0) != kPid)
    return -ESRCH;
  return signal_thread(a.i(1), a.i(2));
}

SyscallResult sys_tkill(const SyscallArgs& a) {
  return signal_thread(a.i(0), a.i(1));
}

// rt_sigsuspend: waits with a temporary mask until a signal is delivered; the handler's
// frame carries the old mask, so it is back once the handler returns.
SyscallResult sys_rt_sigsuspend(const SyscallArgs& a) {
  if (a.u(1) != 8)
    return -EINVAL;
  uint64_t mask;
  if (copy_from_user(&mask, a.p<const void>(0), sizeof mask) < 0)
    return -EFAULT;
  Task& t = current_task();
  t.saved_mask = t.signal_mask;
  t.restore_saved_mask = true;
  t.signal_mask = mask & ~kUnblockable;
  sched::WaitQueue nobody;
  while (sched::wait(nobody, sched::kNoDeadline, "rt_sigsuspend") != -EINTR) {
  }
  return -EINTR; // deliver_pending runs the handler (and restores the mask)
}

// pause: sleeps until a signal is delivered.
SyscallResult sys_pause(const SyscallArgs&) {
  sched::WaitQueue nobody;
  while (sched::wait(nobody, sched::kNoDeadline, "pause") != -EINTR) {
  }
  return -EINTR;
}

// rt_sigtimedwait: takes a pending signal of `set` (usually blocked) without a handler.
SyscallResult sys_rt_sigtimedwait(const SyscallArgs& a) {
  if (a.u(3) != 8)
    return -EINVAL;
  uint64_t set;
  if (copy_from_user(&set, a.p<const void>(0), sizeof set) < 0)
    return -EFAULT;
  set &= ~kUnblockable;
  uint64_t deadline = sched::kNoDeadline;
  if (a.a[2]) {
    linux::timespec ts;
    if (copy_from_user(&ts, a.p<const void>(2), sizeof ts) < 0)
      return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
      return -EINVAL;
    deadline = ktime::monotonic_ns() + static_cast<uint64_t>(ts.tv_sec) * 1000000000 +
               static_cast<uint64_t>(ts.tv_nsec);
  }
  Task& t = current_task();
  sched::WaitQueue nobody;
  for (;;) {
    if (int sig = take_pending_signal(set)) {
      if (a.a[1]) {
        int32_t info[32];
        memset(info, 0, sizeof info);
        info[0] = sig;  // si_signo
        info[2] = 0;    // si_code: SI_USER
        info[4] = kPid; // si_pid
        if (copy_to_user(a.p<void>(1), info, sizeof info) < 0)
          return -EFAULT;
      }
      return sig;
    }
    t.sigwait_set = set;
    int r = sched::wait(nobody, deadline, "rt_sigtimedwait");
    t.sigwait_set = 0;
    if (r == -ETIMEDOUT)
      return -EAGAIN;
    if (r == -EINTR && !(pending_signals_of_current() & set))
      return -EINTR; // another signal, with a handler, came first
  }
}

SyscallResult sys_prctl(const SyscallArgs& a) {
  static char name[16] = "program";
  switch (a.i(0)) {
  case 15: { // PR_SET_NAME
    long n = strncpy_from_user(name, a.p<const char>(1), sizeof name);
    return n == -EFAULT ? -EFAULT : 0;
  }
  case 16: // PR_GET_NAME
    return copy_to_user(a.p<void>(1), name, sizeof name);
  default:
    return -EINVAL;
  }
}

SyscallResult sys_rt_sigreturn(const SyscallArgs&) {
  arch::TrapFrame* f = arch::current_syscall_frame();
  return f ? sigreturn(f) : -EINVAL;
}

SyscallResult sys_rt_sigpending(const SyscallArgs& a) {
  if (a.u(1) != 8)
    return -EINVAL;
  uint64_t set = pending_signals_of_current() & current_task().signal_mask;
  return copy_to_user(a.p<void>(0), &set, sizeof set);
}

SyscallResult sys_wait4(const SyscallArgs&) {
  return -ECHILD;
}

namespace {
long sys_enosys(const SyscallArgs&) {
  return -ENOSYS;
}

} // namespace

// One user and group, id 0.
SyscallResult sys_getuid(const SyscallArgs& a) {
  return sys_zero(a);
}
SyscallResult sys_getgid(const SyscallArgs& a) {
  return sys_zero(a);
}
SyscallResult sys_geteuid(const SyscallArgs& a) {
  return sys_zero(a);
}
SyscallResult sys_getegid(const SyscallArgs& a) {
  return sys_zero(a);
}
// glibc registers an rseq area when the kernel has the call; ENOSYS makes it do without.
SyscallResult sys_rseq(const SyscallArgs& a) {
  return sys_enosys(a);
}

} // namespace unix
