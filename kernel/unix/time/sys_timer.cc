// Timers that end in a signal: alarm and setitimer(ITIMER_REAL) -> SIGALRM, and POSIX
// timers (timer_create ...) with SIGEV_SIGNAL / SIGEV_THREAD_ID / SIGEV_NONE. Each is an
// IntervalTimer on the monotonic clock driven by a sched::Timer whose callback raises the
// signal (unix::raise_process_signal). Also clock_getres.
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "sched/wait.h"
#include "unix/time/clock_ids.h"
#include "unix/time/interval_timer.h"
#include "unix/syscall/linux_abi.h"
#include "unix/process/process.h"
#include "unix/signal/signal.h"
#include "unix/signal/signal_state.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

constexpr int kSigAlrm = 14;

uint64_t ns_of(const linux::timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000 + static_cast<uint64_t>(ts.tv_nsec);
}
linux::timespec timespec_of(uint64_t ns) {
  return {static_cast<int64_t>(ns / 1000000000), static_cast<int64_t>(ns % 1000000000)};
}
linux::timeval timeval_of(uint64_t ns) {
  return {static_cast<int64_t>(ns / 1000000000), static_cast<int64_t>(ns % 1000000000 / 1000)};
}

// A timer that raises `signo` at each expiry (none for SIGEV_NONE).
struct SignalTimer {
  sched::Timer timer; // first: the callback gets back to the SignalTimer from it
  IntervalTimer it;
  int signo;          // 0: SIGEV_NONE
  int clock;
  uint64_t overrun;   // expirations that found their signal still pending
  bool used;
};

// Counts expirations up to now, raises the signal for them and keeps the kernel timer on
// the next one. Also called lazily (get/settime) so the state is exact without a callback.
void bring_up_to_date(SignalTimer* st) {
  uint64_t n = st->it.expire(ktime::monotonic_ns());
  if (n && st->signo) {
    // One pending instance per signal: expirations while it is still pending are overruns.
    if (process_pending_signals() & signal_bit(st->signo)) {
      st->overrun += n;
    } else {
      st->overrun = n - 1;
      raise_process_signal(st->signo);
    }
  }
  if (st->it.armed())
    sched::timer_arm(&st->timer, st->it.next_ns);
  else
    sched::timer_cancel(&st->timer);
}

void fire(sched::Timer* t) {
  bring_up_to_date(reinterpret_cast<SignalTimer*>(t));
}

// ---- ITIMER_REAL and alarm ----
SignalTimer g_real{{0, fire, nullptr, false}, {}, kSigAlrm, kClockMonotonic, 0, true};

struct ItimerVal {
  linux::timeval interval, value;
};
constexpr int kItimerReal = 0, kItimerVirtual = 1, kItimerProf = 2;

bool valid(const linux::timeval& tv) {
  return tv.tv_sec >= 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000;
}
uint64_t ns_of(const linux::timeval& tv) {
  return static_cast<uint64_t>(tv.tv_sec) * 1000000000 + static_cast<uint64_t>(tv.tv_usec) * 1000;
}

ItimerVal real_timer_value() {
  bring_up_to_date(&g_real);
  uint64_t left = g_real.it.remaining(ktime::monotonic_ns());
  if (g_real.it.armed() && left < 1000)
    left = 1000; // armed but under a microsecond: Linux never reports an armed timer as 0
  return {timeval_of(g_real.it.interval_ns), timeval_of(left)};
}

void set_real_timer(uint64_t value_ns, uint64_t interval_ns) {
  if (value_ns == 0)
    g_real.it.disarm();
  else
    g_real.it.arm(ktime::monotonic_ns() + value_ns, interval_ns);
  bring_up_to_date(&g_real);
}

} // namespace

SyscallResult sys_getitimer(const SyscallArgs& a) {
  ItimerVal v{};
  switch (a.i(0)) {
  case kItimerReal:
    v = real_timer_value();
    break;
  case kItimerVirtual:
  case kItimerProf:
    break; // never armed (see setitimer)
  default:
    return Err(-EINVAL);
  }
  TRY(copy_to_user(a.user<ItimerVal>(1), &v));
  return 0;
}

SyscallResult sys_setitimer(const SyscallArgs& a) {
  int which = a.i(0);
  if (which != kItimerReal && which != kItimerVirtual && which != kItimerProf)
    return Err(-EINVAL);
  ItimerVal next{};
  auto new_value = a.user<ItimerVal>(1);
  if (!new_value.is_null())
    next = TRY(copy_from_user(new_value));
  if (!valid(next.value) || !valid(next.interval))
    return Err(-EINVAL);
  auto old_value = a.user<ItimerVal>(2);
  if (which != kItimerReal) {
    // No CPU-time accounting: the virtual and profiling timers cannot be armed.
    if (ns_of(next.value))
      return Err(-EINVAL);
    TRY(copy_to_user_if_set(old_value, ItimerVal{}));
    return 0;
  }
  TRY(copy_to_user_if_set(old_value, real_timer_value()));
  set_real_timer(ns_of(next.value), ns_of(next.interval));
  return 0;
}

SyscallResult sys_alarm(const SyscallArgs& a) {
  ItimerVal old = real_timer_value();
  set_real_timer(a.u(0) ? static_cast<uint64_t>(static_cast<uint32_t>(a.u(0))) * 1000000000 : 0, 0);
  // Whole seconds left, rounded to nearest; an armed alarm never reports 0 (Linux's rule).
  long secs = old.value.tv_sec + (old.value.tv_usec >= 500000 ? 1 : 0);
  if (secs == 0 && old.value.tv_usec)
    secs = 1;
  return secs;
}

namespace {

// ---- POSIX timers ----
constexpr int kMaxTimers = 64;
SignalTimer g_timers[kMaxTimers];

constexpr int kSigevSignal = 0, kSigevNone = 1, kSigevThreadId = 4;
struct SigEvent {
  uint64_t value;
  int32_t signo, notify;
  int32_t tid;
  uint8_t rest[64 - 20];
};
static_assert(sizeof(SigEvent) == 64);
struct ItimerSpec {
  linux::timespec interval, value;
};
constexpr int kTimerAbstime = 1;

// The timer a timer_t names, or -EINVAL.
ErrorOr<SignalTimer*> timer_of(long id) {
  if (id < 0 || id >= kMaxTimers || !g_timers[id].used)
    return Err(-EINVAL);
  return &g_timers[id];
}

} // namespace

SyscallResult sys_timer_create(const SyscallArgs& a) {
  int clock = a.i(0);
  if (!timer_clock_ok(clock))
    return Err(-EINVAL);
  SigEvent ev{};
  ev.signo = kSigAlrm; // no sigevent: SIGEV_SIGNAL with SIGALRM
  auto event = a.user<SigEvent>(1);
  if (!event.is_null())
    ev = TRY(copy_from_user(event));
  switch (ev.notify) {
  case kSigevNone:
    ev.signo = 0;
    break;
  case kSigevThreadId:
    if (ev.tid != kPid) // the only thread
      return Err(-EINVAL);
    [[fallthrough]];
  case kSigevSignal:
    if (ev.signo < 1 || ev.signo > kMaxSignal)
      return Err(-EINVAL);
    break;
  default:
    return Err(-EINVAL); // SIGEV_THREAD is done by the C library with SIGEV_THREAD_ID
  }
  int id = 0;
  while (id < kMaxTimers && g_timers[id].used)
    ++id;
  if (id == kMaxTimers)
    return Err(-EAGAIN);
  int32_t uid = id;
  TRY(copy_to_user(a.user<int32_t>(2), &uid));
  SignalTimer& t = g_timers[id];
  t = SignalTimer{{0, fire, nullptr, false}, {}, ev.signo, clock, 0, true};
  return 0;
}

namespace {

ItimerSpec posix_timer_value(SignalTimer* t) {
  bring_up_to_date(t);
  return {timespec_of(t->it.interval_ns), timespec_of(t->it.remaining(ktime::monotonic_ns()))};
}

} // namespace

SyscallResult sys_timer_settime(const SyscallArgs& a) {
  SignalTimer* t = TRY(timer_of(a.s(0)));
  int flags = a.i(1);
  ItimerSpec next = TRY(copy_from_user(a.user<ItimerSpec>(2)));
  auto ok = [](const linux::timespec& ts) {
    return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000;
  };
  if (!ok(next.value) || !ok(next.interval))
    return Err(-EINVAL);
  TRY(copy_to_user_if_set(a.user<ItimerSpec>(3), posix_timer_value(t)));
  uint64_t value = ns_of(next.value);
  if (value == 0) {
    t->it.disarm();
  } else {
    uint64_t first = flags & kTimerAbstime ? to_monotonic(t->clock, value) : ktime::monotonic_ns() + value;
    t->it.arm(first, ns_of(next.interval));
  }
  t->overrun = 0;
  bring_up_to_date(t);
  return 0;
}

SyscallResult sys_timer_gettime(const SyscallArgs& a) {
  SignalTimer* t = TRY(timer_of(a.s(0)));
  ItimerSpec cur = posix_timer_value(t);
  TRY(copy_to_user(a.user<ItimerSpec>(1), &cur));
  return 0;
}

SyscallResult sys_timer_getoverrun(const SyscallArgs& a) {
  SignalTimer* t = TRY(timer_of(a.s(0)));
  bring_up_to_date(t);
  return t->overrun > 0x7FFFFFFF ? 0x7FFFFFFF : static_cast<long>(t->overrun); // DELAYTIMER_MAX
}

SyscallResult sys_timer_delete(const SyscallArgs& a) {
  SignalTimer* t = TRY(timer_of(a.s(0)));
  sched::timer_cancel(&t->timer);
  t->used = false;
  return 0;
}

// ---- clock_getres ----
SyscallResult sys_clock_getres(const SyscallArgs& a) {
  int clock = a.i(0);
  uint64_t res;
  switch (clock) {
  case 0: case 1: case 2: case 3: case 4: case 7: case 8: case 9: case 11:
    res = 1; // read from the TSC in nanoseconds
    break;
  case 5: case 6: // REALTIME_COARSE, MONOTONIC_COARSE: Linux reports its tick (HZ=250)
    res = 4000000;
    break;
  default: // a process or thread CPU-time clock (pthread_getcpuclockid): read as clock 2
    TRY(check_cpu_clock(clock));
    res = 1;
  }
  TRY(copy_to_user_if_set(a.user<linux::timespec>(1), timespec_of(res)));
  return 0;
}

} // namespace unix
