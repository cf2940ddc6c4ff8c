// futex(2) on the FutexTable: FUTEX_WAIT / WAIT_BITSET (with timeouts), WAKE /
// WAKE_BITSET, REQUEUE, CMP_REQUEUE and WAKE_OP. One address space, so FUTEX_PRIVATE_FLAG
// changes nothing: the key is the user address. The kernel is not preemptible, so reading
// the word and queueing the waiter is atomic with respect to every waker.
#include "unix/process/futex.h"

#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "sched/wait.h"
#include "unix/process/futex_table.h"
#include "unix/syscall/linux_abi.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

enum : int {
  kFutexWait = 0,
  kFutexWake = 1,
  kFutexRequeue = 3,
  kFutexCmpRequeue = 4,
  kFutexWakeOp = 5,
  kFutexWaitBitset = 9,
  kFutexWakeBitset = 10,
};
constexpr int kFutexPrivate = 128, kFutexClockRealtime = 256;

FutexTable g_futexes;

void wake_waiter(FutexWaiter* w) {
  sched::wake_one(*static_cast<sched::WaitQueue*>(w->owner));
}

// A futex timeout as an absolute ktime::monotonic_ns() deadline (kNoDeadline: none).
ErrorOr<uint64_t> futex_deadline(UserPtr<linux::timespec> uts, bool absolute, bool realtime) {
  if (uts.is_null())
    return sched::kNoDeadline;
  linux::timespec ts = TRY(copy_from_user(uts));
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
    return Err(-EINVAL);
  if (ts.tv_sec > 10000000000ll) // past the year 2286: wait forever (no overflow below)
    return sched::kNoDeadline;
  uint64_t ns = static_cast<uint64_t>(ts.tv_sec) * 1000000000 + static_cast<uint64_t>(ts.tv_nsec);
  uint64_t now = ktime::monotonic_ns();
  if (!absolute)
    return now + ns;
  if (realtime) {
    uint64_t real = ktime::realtime_ns();
    return ns > real ? now + (ns - real) : now;
  }
  return ns;
}

SyscallResult futex_wait(uint64_t uaddr, uint32_t val, uint32_t bitset, uint64_t deadline) {
  if (!bitset)
    return Err(-EINVAL);
  uint32_t v = TRY(copy_from_user(UserPtr<uint32_t>(uaddr)));
  if (v != val)
    return Err(-EAGAIN);
  sched::WaitQueue q;
  FutexWaiter w;
  w.addr = uaddr;
  w.bitset = bitset;
  w.owner = &q;
  g_futexes.enqueue(&w);
  for (;;) {
    int r = sched::wait(q, deadline, "futex");
    if (w.woken)
      return 0;
    if (r == -ETIMEDOUT || r == -EINTR) {
      g_futexes.remove(&w);
      return Err(r);
    }
  }
}

// FUTEX_WAKE_OP's encoded operation on the word at uaddr2: returns the old value's
// comparison result.
ErrorOr<bool> wake_op_apply(uint64_t uaddr2, uint32_t encoded) {
  int op = (encoded >> 28) & 7;
  bool shift = encoded >> 31;
  int cmp = (encoded >> 24) & 15;
  int32_t oparg = static_cast<int32_t>(encoded << 8) >> 20;
  int32_t cmparg = static_cast<int32_t>(encoded << 20) >> 20;
  if (shift)
    oparg = oparg >= 0 && oparg < 32 ? static_cast<int32_t>(1u << oparg) : 0;
  UserPtr<int32_t> word(uaddr2);
  int32_t old = TRY(copy_from_user(word));
  int32_t next;
  switch (op) {
  case 0: next = oparg; break;                                                      // SET
  case 1: next = static_cast<int32_t>(static_cast<uint32_t>(old) + static_cast<uint32_t>(oparg)); break; // ADD
  case 2: next = old | oparg; break;                                                // OR
  case 3: next = old & ~oparg; break;                                               // ANDN
  case 4: next = old ^ oparg; break;                                                // XOR
  default: return Err(-ENOSYS);
  }
  bool result;
  switch (cmp) {
  case 0: result = old == cmparg; break;
  case 1: result = old != cmparg; break;
  case 2: result = old < cmparg; break;
  case 3: result = old <= cmparg; break;
  case 4: result = old > cmparg; break;
  case 5: result = old >= cmparg; break;
  default: return Err(-ENOSYS);
  }
  TRY(copy_to_user(word, &next));
  return result;
}

} // namespace

int futex_wake(uint64_t uaddr, int n) {
  return g_futexes.wake(uaddr, n, ~0u, wake_waiter);
}

SyscallResult sys_futex(const SyscallArgs& args) {
  uint64_t uaddr = args.u(0);
  int op = args.i(1);
  uint32_t val = static_cast<uint32_t>(args.u(2));
  uint64_t timeout_or_val2 = args.u(3);
  uint64_t uaddr2 = args.u(4);
  uint32_t val3 = static_cast<uint32_t>(args.u(5));
  int cmd = op & ~(kFutexPrivate | kFutexClockRealtime);
  bool realtime = op & kFutexClockRealtime;
  if (uaddr & 3)
    return Err(-EINVAL);
  if (realtime && cmd != kFutexWaitBitset && cmd != kFutexWait)
    return Err(-ENOSYS);
  int n = static_cast<int>(val);
  switch (cmd) {
  case kFutexWait:
  case kFutexWaitBitset: {
    // FUTEX_WAIT's timeout is relative; FUTEX_WAIT_BITSET's absolute on its clock.
    uint64_t deadline = TRY(futex_deadline(UserPtr<linux::timespec>(timeout_or_val2),
                                           cmd == kFutexWaitBitset, realtime));
    return futex_wait(uaddr, val, cmd == kFutexWait ? ~0u : val3, deadline);
  }
  case kFutexWake:
    if (n < 0)
      return Err(-EINVAL);
    return g_futexes.wake(uaddr, n, ~0u, wake_waiter);
  case kFutexWakeBitset:
    if (!val3 || n < 0)
      return Err(-EINVAL);
    return g_futexes.wake(uaddr, n, val3, wake_waiter);
  case kFutexCmpRequeue:
  case kFutexRequeue: {
    int n_move = static_cast<int>(timeout_or_val2);
    if (n < 0 || n_move < 0 || (uaddr2 & 3))
      return Err(-EINVAL);
    if (cmd == kFutexCmpRequeue && TRY(copy_from_user(UserPtr<uint32_t>(uaddr))) != val3)
      return Err(-EAGAIN);
    return g_futexes.requeue(uaddr, uaddr2, n, n_move, wake_waiter);
  }
  case kFutexWakeOp: {
    int n2 = static_cast<int>(timeout_or_val2);
    if (n < 0 || n2 < 0 || (uaddr2 & 3))
      return Err(-EINVAL);
    bool cmp = TRY(wake_op_apply(uaddr2, val3));
    int woken = g_futexes.wake(uaddr, n, ~0u, wake_waiter);
    if (cmp)
      woken += g_futexes.wake(uaddr2, n2, ~0u, wake_waiter);
    return woken;
  }
  default:
    return Err(-ENOSYS); // PI futexes and FUTEX_FD
  }
}

} // namespace unix
