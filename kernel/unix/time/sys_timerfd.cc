// timerfd: a periodic timer (interval_timer.h) whose expirations are counted and read as a
// u64. A sched::Timer wakes readers and pollers at each expiry; the count is also brought
// up to date whenever the file is read, polled or queried, so it is exact even when no
// kernel timer ran in between.
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "mm/heap.h"
#include "unix/time/clock_ids.h"
#include "unix/fd/event_file.h"
#include "unix/time/interval_timer.h"
#include "unix/syscall/linux_abi.h"
#include "unix/process/process.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

struct Timerfd {
  sched::Timer timer; // first: the callback gets back to the Timerfd from it
  int clock;
  IntervalTimer it;   // monotonic times
  uint64_t ticks;     // expirations not read yet
  sched::WaitQueue readq;
  EventGen gen;
};

struct ItimerSpec {
  linux::timespec interval, value;
};

constexpr int kTfdTimerAbstime = 1, kTfdTimerCancelOnSet = 2;

void fire(sched::Timer* t);

// Counts expirations up to now, wakes on new ones and keeps the kernel timer on the next.
void bring_up_to_date(Timerfd* tf) {
  uint64_t n = tf->it.expire(ktime::monotonic_ns());
  if (n) {
    tf->ticks += n;
    sched::wake_all(tf->readq);
    announce(tf->gen, kEpollIn);
  }
  if (tf->it.armed())
    sched::timer_arm(&tf->timer, tf->it.next_ns);
  else
    sched::timer_cancel(&tf->timer);
}

void fire(sched::Timer* t) {
  bring_up_to_date(reinterpret_cast<Timerfd*>(t));
}

ErrorOr<Timerfd*> timerfd_of(int fd) {
  File* f = process().files.get(fd);
  if (!f)
    return Err(-EBADF);
  if (f->kind != FileKind::kTimerfd)
    return Err(-EINVAL);
  return static_cast<Timerfd*>(f->object);
}

ErrorOr<size_t> timerfd_read(File& f, UserPtr<uint8_t> ubuf, size_t len, uint64_t*) {
  auto* tf = static_cast<Timerfd*>(f.object);
  if (len < 8)
    return Err(-EINVAL);
  for (;;) {
    bring_up_to_date(tf);
    if (tf->ticks)
      break;
    if (f.flags & linux::O_NONBLOCK)
      return Err(-EAGAIN);
    if (int r = sched::wait(tf->readq, sched::kNoDeadline, "read from a timerfd that is not armed"); r < 0)
      return Err(r);
  }
  TRY(copy_to_user(ubuf.as<uint64_t>(), &tf->ticks));
  tf->ticks = 0;
  return size_t{8};
}

Readiness timerfd_readiness(File& f) {
  auto* tf = static_cast<Timerfd*>(f.object);
  bring_up_to_date(tf);
  return Readiness{tf->ticks ? kEpollIn : 0u, tf->gen.in, tf->gen.out};
}

void timerfd_release(File& f) {
  auto* tf = static_cast<Timerfd*>(f.object);
  sched::timer_cancel(&tf->timer);
  kfree(tf);
}

// Written only through timerfd_settime; an anonymous inode: lseek answers 0.
const FileOps kTimerfdOps{
    .kind = FileKind::kTimerfd,
    .mode = 0600,
    .read = timerfd_read,
    .seek = seek_nowhere,
    .readiness = timerfd_readiness,
    .release = timerfd_release,
};

uint64_t ns_of(const linux::timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000 + static_cast<uint64_t>(ts.tv_nsec);
}
linux::timespec timespec_of(uint64_t ns) {
  return {static_cast<int64_t>(ns / 1000000000), static_cast<int64_t>(ns % 1000000000)};
}
bool valid(const linux::timespec& ts) {
  return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000;
}

ItimerSpec current(Timerfd* tf) {
  bring_up_to_date(tf);
  return {timespec_of(tf->it.interval_ns), timespec_of(tf->it.remaining(ktime::monotonic_ns()))};
}

} // namespace

SyscallResult sys_timerfd_create(const SyscallArgs& a) {
  int clock = a.i(0), flags = a.i(1);
  if (!timer_clock_ok(clock) || (flags & ~(linux::O_NONBLOCK | linux::O_CLOEXEC)))
    return Err(-EINVAL);
  auto* tf = static_cast<Timerfd*>(kzalloc(sizeof(Timerfd)));
  if (!tf)
    return Err(-ENOMEM);
  tf->clock = clock;
  tf->timer.fire = fire;
  int fd = install_object_file(kTimerfdOps, tf, linux::O_RDWR | (flags & linux::O_NONBLOCK),
                               flags & linux::O_CLOEXEC);
  if (fd < 0) {
    kfree(tf);
    return Err(fd);
  }
  return fd;
}

SyscallResult sys_timerfd_settime(const SyscallArgs& a) {
  Timerfd* tf = TRY(timerfd_of(a.i(0)));
  int flags = a.i(1);
  if (flags & ~(kTfdTimerAbstime | kTfdTimerCancelOnSet))
    return Err(-EINVAL);
  ItimerSpec next = TRY(copy_from_user(a.user<ItimerSpec>(2)));
  if (!valid(next.value) || !valid(next.interval))
    return Err(-EINVAL);
  ItimerSpec old = current(tf);
  TRY(copy_to_user_if_set(a.user<ItimerSpec>(3), old));
  tf->ticks = 0; // a new setting forgets unread expirations, as on Linux
  uint64_t value = ns_of(next.value);
  if (value == 0) {
    tf->it.disarm();
  } else {
    uint64_t first = flags & kTfdTimerAbstime ? to_monotonic(tf->clock, value)
                                              : ktime::monotonic_ns() + value;
    tf->it.arm(first, ns_of(next.interval));
  }
  bring_up_to_date(tf); // an absolute time already past expires now
  return 0L;
}

SyscallResult sys_timerfd_gettime(const SyscallArgs& a) {
  Timerfd* tf = TRY(timerfd_of(a.i(0)));
  ItimerSpec cur = current(tf);
  TRY(copy_to_user(a.user<ItimerSpec>(1), &cur));
  return 0L;
}

} // namespace unix
