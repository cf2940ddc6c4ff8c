// Process, identity, time and signal-state syscalls (threads, futex: sys_thread.cc, futex.cc).
#include "arch/x86_64/random.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/user.h"
#include "arch/x86_64/usercopy.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/vm.h"
#include "unix/fd/file.h"
#include "unix/process/exit.h"
#include "unix/process/process.h"
#include "unix/syscall/linux_abi.h"
#include "unix/memory/memory.h"
#include "unix/process/process.h"
#include "sched/thread.h"
#include "sched/wait.h"
#include "unix/signal/signal.h"
#include "unix/syscall/syscall_handlers.h"
#include "unix/time/clock_ids.h"

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
      return Err(-EPERM);
    if (a.i(0) == 0x1002)
      arch::set_fs_base(addr);
    else
      arch::set_gs_base(addr);
    return 0;
  case 0x1003: { // ARCH_GET_FS
    uint64_t v = arch::fs_base();
    TRY(copy_to_user(a.user<uint64_t>(1), &v));
    return 0;
  }
  case 0x1004: { // ARCH_GET_GS
    uint64_t v = arch::gs_base();
    TRY(copy_to_user(a.user<uint64_t>(1), &v));
    return 0;
  }
  default:
    return Err(-EINVAL);
  }
}

SyscallResult sys_getpid(const SyscallArgs&) {
  return kPid;
}

SyscallResult sys_getppid(const SyscallArgs&) {
  return 1;
}

// One user and group, id 0: everything runs as root.
SyscallResult sys_getuid(const SyscallArgs&) {
  return 0;
}
SyscallResult sys_getgid(const SyscallArgs&) {
  return 0;
}
SyscallResult sys_geteuid(const SyscallArgs&) {
  return 0;
}
SyscallResult sys_getegid(const SyscallArgs&) {
  return 0;
}

namespace {

// ---- resource limits ----
constexpr int kRlimitNofile = 7;
linux::rlimit g_limits[16] = {
    {~0ull, ~0ull}, {~0ull, ~0ull}, {~0ull, ~0ull}, {8ull << 20, ~0ull}, // CPU FSIZE DATA STACK
    {0, ~0ull},     {~0ull, ~0ull}, {~0ull, ~0ull}, {kMaxFds, kMaxFds},  // CORE RSS NPROC NOFILE
    {64 << 20, 64 << 20}, {~0ull, ~0ull}, {~0ull, ~0ull}, {0, 0},        // MEMLOCK AS LOCKS SIGPENDING
    {819200, 819200}, {0, 0}, {0, 0}, {~0ull, ~0ull}};                   // MSGQUEUE NICE RTPRIO RTTIME

// Either pointer may be null (nothing to set / nothing to report).
SyscallResult do_prlimit(int resource, UserPtr<linux::rlimit> new_limit,
                         UserPtr<linux::rlimit> old_limit) {
  if (resource < 0 || resource >= 16)
    return Err(-EINVAL);
  linux::rlimit next;
  if (!new_limit.is_null()) {
    next = TRY(copy_from_user(new_limit));
    if (next.cur > next.max)
      return Err(-EINVAL);
    // The descriptor table holds kMaxFds (Linux: raising past fs.nr_open is EPERM).
    if (resource == kRlimitNofile && next.max > static_cast<uint64_t>(kMaxFds))
      return Err(-EPERM);
  }
  TRY(copy_to_user_if_set(old_limit, g_limits[resource]));
  if (!new_limit.is_null()) {
    g_limits[resource] = next;
    if (resource == kRlimitNofile)
      process().files.set_limit(static_cast<int>(next.cur));
  }
  return 0;
}

} // namespace

SyscallResult sys_prlimit64(const SyscallArgs& a) {
  if (a.i(0) != 0 && a.i(0) != kPid)
    return Err(-ESRCH);
  return do_prlimit(a.i(1), a.user<linux::rlimit>(2), a.user<linux::rlimit>(3));
}

SyscallResult sys_getrlimit(const SyscallArgs& a) {
  return do_prlimit(a.i(0), UserPtr<linux::rlimit>(), a.user<linux::rlimit>(1));
}

SyscallResult sys_setrlimit(const SyscallArgs& a) {
  return do_prlimit(a.i(0), a.user<linux::rlimit>(1), UserPtr<linux::rlimit>());
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
  TRY(copy_to_user(a.user<linux::utsname>(0), &u));
  return 0;
}

SyscallResult sys_getrandom(const SyscallArgs& a) {
  if (a.u(2) & ~7ull)
    return Err(-EINVAL);
  uint8_t chunk[256];
  auto buffer = a.user<uint8_t>(0);
  size_t len = a.u(1), done = 0;
  while (done < len) {
    size_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
    random_bytes(chunk, n);
    if (!copy_to_user(buffer.offset(done), chunk, n).ok()) {
      if (done)
        break; // a partial fill reports what was written, as Linux does
      return Err(-EFAULT);
    }
    done += n;
  }
  return static_cast<long>(done);
}

// A process or thread CPU-time clock (clock_ids.h) of this program: the process (its pid,
// or 0) or one of its live threads; -EINVAL otherwise, as Linux for an id that is gone.
Status check_cpu_clock(int clock) {
  CpuClock c;
  if (!decode_cpu_clock(clock, &c))
    return Err(-EINVAL);
  if (c.id == 0 || (c.thread ? find_task(c.id) != nullptr : c.id == kPid))
    return true;
  return Err(-EINVAL);
}

namespace {

// ---- time ----
ErrorOr<uint64_t> clock_ns(int clock) {
  switch (clock) {
  case 0:  // CLOCK_REALTIME
  case 5:  // CLOCK_REALTIME_COARSE
  case 8:  // CLOCK_REALTIME_ALARM
  case 11: // CLOCK_TAI
    return ktime::realtime_ns();
  case 1: case 2: case 3: case 4: case 6: case 7: case 9: // monotonic, cputime, boottime
    return ktime::monotonic_ns();
  default:
    TRY(check_cpu_clock(clock));
    return ktime::monotonic_ns(); // CPU time is not accounted: run time, as CLOCK_*_CPUTIME_ID
  }
}

linux::timespec to_timespec(uint64_t ns) {
  return {static_cast<int64_t>(ns / 1000000000), static_cast<int64_t>(ns % 1000000000)};
}

} // namespace

SyscallResult sys_clock_gettime(const SyscallArgs& a) {
  linux::timespec ts = to_timespec(TRY(clock_ns(a.i(0))));
  TRY(copy_to_user(a.user<linux::timespec>(1), &ts));
  return 0;
}

// times() and getrusage(): this kernel does not account CPU time per thread, so the
// process's user time is its run time so far (the same reading as the CPU-time clocks:
// it never goes backwards and grows while the program works); system time and children
// are 0. times() returns clock ticks (100 per second, sysconf(_SC_CLK_TCK)) of the
// monotonic clock.
SyscallResult sys_times(const SyscallArgs& a) {
  constexpr uint64_t kNsPerTick = 10000000;
  uint64_t ticks = ktime::monotonic_ns() / kNsPerTick;
  struct Tms {
    int64_t utime, stime, cutime, cstime;
  };
  TRY(copy_to_user_if_set(a.user<Tms>(0), Tms{static_cast<int64_t>(ticks), 0, 0, 0}));
  return static_cast<long>(ticks);
}

SyscallResult sys_getrusage(const SyscallArgs& a) {
  constexpr int kSelf = 0, kChildren = -1, kThread = 1;
  int who = a.i(0);
  if (who != kSelf && who != kChildren && who != kThread)
    return Err(-EINVAL);
  struct Rusage {
    linux::timeval utime, stime;
    int64_t rest[14]; // maxrss .. nivcsw
  } ru;
  memset(&ru, 0, sizeof ru);
  if (who != kChildren) {
    uint64_t us = ktime::monotonic_ns() / 1000;
    ru.utime = {static_cast<int64_t>(us / 1000000), static_cast<int64_t>(us % 1000000)};
  }
  TRY(copy_to_user(a.user<Rusage>(1), &ru));
  return 0;
}

// The wall clock comes from the host's RTC and stays the host's business: setting it is
// EPERM (as for a program without CAP_SYS_TIME); the other clocks cannot be set (EINVAL).
SyscallResult sys_clock_settime(const SyscallArgs& a) {
  linux::timespec ts = TRY(copy_from_user(a.user<linux::timespec>(1)));
  TRY(clock_ns(a.i(0)));
  if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000 || ts.tv_sec < 0)
    return Err(-EINVAL);
  if (a.i(0) != 0) // only CLOCK_REALTIME is settable on Linux
    return Err(-EINVAL);
  return Err(-EPERM);
}

SyscallResult sys_gettimeofday(const SyscallArgs& a) {
  uint64_t ns = ktime::realtime_ns();
  linux::timeval tv{static_cast<int64_t>(ns / 1000000000),
                    static_cast<int64_t>(ns % 1000000000 / 1000)};
  TRY(copy_to_user_if_set(a.user<linux::timeval>(0), tv));
  struct Timezone {
    int32_t minuteswest, dsttime;
  };
  TRY(copy_to_user_if_set(a.user<Timezone>(1), Timezone{0, 0}));
  return 0;
}

SyscallResult sys_time(const SyscallArgs& a) {
  auto t = static_cast<int64_t>(ktime::realtime_ns() / 1000000000);
  TRY(copy_to_user_if_set(a.user<int64_t>(0), t));
  return t;
}

namespace {

// Sleeps in sched::wait (other threads run meanwhile) until the request passes. A signal
// ends it early with -EINTR and, for relative requests, the time left in *urem.
SyscallResult sleep_for(UserPtr<linux::timespec> ureq, bool absolute, int clock,
                        UserPtr<linux::timespec> urem) {
  linux::timespec req = TRY(copy_from_user(ureq));
  if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= 1000000000)
    return Err(-EINVAL);
  uint64_t ns = req.tv_sec > 10000000000ll
                    ? ~0ull / 2 // past the year 2286: forever, without overflowing below
                    : static_cast<uint64_t>(req.tv_sec) * 1000000000 +
                          static_cast<uint64_t>(req.tv_nsec);
  uint64_t now = ktime::monotonic_ns();
  uint64_t deadline;
  if (!absolute) {
    deadline = now + ns;
  } else {
    uint64_t clock_now = TRY(clock_ns(clock));
    // The monotonic clocks are ktime's; realtime ones are converted at the time of the call.
    deadline = ns > clock_now ? now + (ns - clock_now) : now;
  }
  sched::WaitQueue nobody; // nothing wakes a sleep but its deadline or a signal
  for (;;) {
    int r = sched::wait(nobody, deadline, "nanosleep");
    if (r == -ETIMEDOUT)
      return 0;
    if (r == -EINTR) {
      if (!absolute) {
        uint64_t t = ktime::monotonic_ns();
        TRY(copy_to_user_if_set(urem, to_timespec(deadline > t ? deadline - t : 0)));
      }
      return Err(-EINTR);
    }
  }
}

} // namespace

SyscallResult sys_nanosleep(const SyscallArgs& a) {
  return sleep_for(a.user<linux::timespec>(0), false, 1, a.user<linux::timespec>(1));
}

SyscallResult sys_clock_nanosleep(const SyscallArgs& a) {
  TRY(clock_ns(a.i(0)));
  if (a.i(0) == 2 || a.i(0) == 3) // CPU-time clocks: not sleepable here
    return Err(-EOPNOTSUPP);
  return sleep_for(a.user<linux::timespec>(2), a.i(1) & 1, a.i(0), a.user<linux::timespec>(3));
}

SyscallResult sys_sched_getaffinity(const SyscallArgs& a) {
  if (a.u(1) < 8 || (a.u(1) & 7))
    return Err(-EINVAL);
  uint64_t mask = 1; // one CPU
  TRY(copy_to_user(a.user<uint64_t>(2), &mask));
  return 8;
}

// One CPU: any mask that includes CPU 0 is accepted (and changes nothing).
SyscallResult sys_sched_setaffinity(const SyscallArgs& a) {
  if (a.u(1) == 0)
    return Err(-EINVAL);
  uint8_t first = TRY(copy_from_user(a.user<uint8_t>(2)));
  if (!(first & 1))
    return Err(-EINVAL);
  return 0;
}

SyscallResult sys_getcpu(const SyscallArgs& a) {
  TRY(copy_to_user_if_set(a.user<uint32_t>(0), 0u)); // cpu
  TRY(copy_to_user_if_set(a.user<uint32_t>(1), 0u)); // node
  return 0;
}

SyscallResult sys_sysinfo(const SyscallArgs& a) {
  struct Sysinfo {
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
  TRY(copy_to_user(a.user<Sysinfo>(0), &info));
  return 0;
}

// ---- signals (delivery: signal.cc) ----
SyscallResult sys_rt_sigaction(const SyscallArgs& a) {
  int sig = a.i(0);
  if (sig < 1 || sig > kMaxSignal || a.u(3) != 8)
    return Err(-EINVAL);
  Process& p = process();
  auto new_action = a.user<linux::sigaction>(1);
  linux::sigaction next;
  if (!new_action.is_null()) {
    if (sig == kSigKill || sig == kSigStop)
      return Err(-EINVAL);
    next = TRY(copy_from_user(new_action));
  }
  TRY(copy_to_user_if_set(a.user<linux::sigaction>(2), p.actions[sig]));
  if (!new_action.is_null())
    p.actions[sig] = next;
  return 0;
}

SyscallResult sys_rt_sigprocmask(const SyscallArgs& a) {
  if (a.u(3) != 8)
    return Err(-EINVAL);
  Task& p = current_task(); // the mask is per thread
  auto new_set = a.user<uint64_t>(1);
  uint64_t set = 0;
  if (!new_set.is_null())
    set = TRY(copy_from_user(new_set));
  TRY(copy_to_user_if_set(a.user<uint64_t>(2), p.signal_mask));
  if (!new_set.is_null()) {
    switch (a.i(0)) {
    case 0: p.signal_mask |= set; break;
    case 1: p.signal_mask &= ~set; break;
    case 2: p.signal_mask = set; break;
    default: return Err(-EINVAL);
    }
    p.signal_mask &= ~((1ull << (kSigKill - 1)) | (1ull << (kSigStop - 1)));
  }
  return 0;
}

SyscallResult sys_sigaltstack(const SyscallArgs& a) {
  Task& p = current_task(); // per thread
  auto new_stack = a.user<linux::stack_t>(0);
  linux::stack_t next;
  if (!new_stack.is_null())
    next = TRY(copy_from_user(new_stack));
  TRY(copy_to_user_if_set(a.user<linux::stack_t>(1), p.altstack));
  if (!new_stack.is_null()) {
    if (next.flags & ~(2 | (1 << 31)))
      return Err(-EINVAL);
    if (!(next.flags & 2) && next.size < 2048)
      return Err(-ENOMEM);
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
    return Err(-ESRCH);
  int sig = a.i(1);
  if (!valid_signal(sig))
    return Err(-EINVAL);
  if (sig && !signal_ignored(sig))
    raise_process_signal(sig);
  return 0;
}

namespace {

// tgkill/tkill: to one thread (pthread_kill, raise).
SyscallResult signal_thread(int tid, int sig) {
  if (!valid_signal(sig))
    return Err(-EINVAL);
  Task* t = find_task(tid);
  if (!t)
    return Err(-ESRCH);
  if (sig && !signal_ignored(sig))
    raise_thread_signal(*t, sig);
  return 0;
}

// Sleeps until a signal is delivered (the handler runs on the way out).
SyscallResult wait_for_any_signal(const char* why) {
  sched::WaitQueue nobody;
  while (sched::wait(nobody, sched::kNoDeadline, why) != -EINTR) {
  }
  return Err(-EINTR);
}

} // namespace

SyscallResult sys_tgkill(const SyscallArgs& a) {
  if (a.i(0) != kPid)
    return Err(-ESRCH);
  return signal_thread(a.i(1), a.i(2));
}

SyscallResult sys_tkill(const SyscallArgs& a) {
  return signal_thread(a.i(0), a.i(1));
}

// rt_sigsuspend: waits with a temporary mask until a signal is delivered; the handler's
// frame carries the old mask, so it is back once the handler returns.
SyscallResult sys_rt_sigsuspend(const SyscallArgs& a) {
  if (a.u(1) != 8)
    return Err(-EINVAL);
  uint64_t mask = TRY(copy_from_user(a.user<uint64_t>(0)));
  Task& t = current_task();
  t.saved_mask = t.signal_mask;
  t.restore_saved_mask = true;
  t.signal_mask = mask & ~kUnblockable;
  return wait_for_any_signal("rt_sigsuspend"); // deliver_pending restores the mask
}

// pause: sleeps until a signal is delivered.
SyscallResult sys_pause(const SyscallArgs&) {
  return wait_for_any_signal("pause");
}

namespace {

// The siginfo rt_sigtimedwait reports: a signal sent by the process itself (SI_USER).
Status report_siginfo(UserPtr<int32_t> info_out, int sig) {
  int32_t info[32]; // siginfo_t is 128 bytes
  memset(info, 0, sizeof info);
  info[0] = sig;  // si_signo
  info[2] = 0;    // si_code: SI_USER
  info[4] = kPid; // si_pid
  return copy_to_user(info_out, info, 32);
}

} // namespace

// rt_sigtimedwait: takes a pending signal of `set` (usually blocked) without a handler.
SyscallResult sys_rt_sigtimedwait(const SyscallArgs& a) {
  if (a.u(3) != 8)
    return Err(-EINVAL);
  uint64_t set = TRY(copy_from_user(a.user<uint64_t>(0))) & ~kUnblockable;
  uint64_t deadline = sched::kNoDeadline;
  auto timeout = a.user<linux::timespec>(2);
  if (!timeout.is_null()) {
    linux::timespec ts = TRY(copy_from_user(timeout));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
      return Err(-EINVAL);
    deadline = ktime::monotonic_ns() + static_cast<uint64_t>(ts.tv_sec) * 1000000000 +
               static_cast<uint64_t>(ts.tv_nsec);
  }
  Task& t = current_task();
  sched::WaitQueue nobody;
  for (;;) {
    if (int sig = take_pending_signal(set)) {
      auto info = a.user<int32_t>(1);
      if (!info.is_null())
        TRY(report_siginfo(info, sig));
      return sig;
    }
    t.sigwait_set = set;
    int r = sched::wait(nobody, deadline, "rt_sigtimedwait");
    t.sigwait_set = 0;
    if (r == -ETIMEDOUT)
      return Err(-EAGAIN);
    if (r == -EINTR && !(pending_signals_of_current() & set))
      return Err(-EINTR); // another signal, with a handler, came first
  }
}

// prctl PR_SET_THP_DISABLE of the one process: remembered for PR_GET_THP_DISABLE only (the
// kernel maps no transparent huge pages, so every mapping already behaves as if disabled).
// Only prctl reads it, so it lives here rather than in Process.
static bool g_thp_disabled = false;

SyscallResult sys_prctl(const SyscallArgs& a) {
  char* name = process().name;
  constexpr size_t kNameSize = sizeof process().name;
  switch (a.i(0)) {
  case 15: { // PR_SET_NAME: longer names are cut to 15 characters, as on Linux
    char next[kNameSize];
    auto n = strncpy_from_user(next, a.user<const char>(1), kNameSize);
    if (!n.ok() && n.error() != -ENAMETOOLONG)
      return Err(n.error());
    memcpy(name, next, kNameSize);
    return 0;
  }
  case 16: // PR_GET_NAME
    TRY(copy_to_user(a.user<char>(1), name, kNameSize));
    return 0;
  // Ruby sets it at start. Linux: any non-zero argument sets the flag; the unused arguments
  // must be 0 (later kernels give the third one flags this kernel does not have).
  case 41: // PR_SET_THP_DISABLE
    if (a.u(2) || a.u(3) || a.u(4))
      return Err(-EINVAL);
    g_thp_disabled = a.u(1) != 0;
    return 0;
  case 42: // PR_GET_THP_DISABLE
    if (a.u(1) || a.u(2) || a.u(3) || a.u(4))
      return Err(-EINVAL);
    return g_thp_disabled ? 1 : 0;
  default:
    return Err(-EINVAL);
  }
}

// rt_sigreturn's value is the interrupted context's RAX (often a negative errno from the
// call the handler interrupted): a value, not an error of this call.
SyscallResult sys_rt_sigreturn(const SyscallArgs&) {
  arch::TrapFrame* f = arch::current_syscall_frame();
  if (!f)
    return Err(-EINVAL);
  return sigreturn(f);
}

SyscallResult sys_rt_sigpending(const SyscallArgs& a) {
  if (a.u(1) != 8)
    return Err(-EINVAL);
  uint64_t set = pending_signals_of_current() & current_task().signal_mask;
  TRY(copy_to_user(a.user<uint64_t>(0), &set));
  return 0;
}

SyscallResult sys_wait4(const SyscallArgs&) {
  return Err(-ECHILD);
}

// glibc registers an rseq area when the kernel has the call; ENOSYS makes it do without.
SyscallResult sys_rseq(const SyscallArgs&) {
  return Err(-ENOSYS);
}

} // namespace unix
