// futex(2) on the FutexTable: FUTEX_WAIT / WAIT_BITSET (with timeouts), WAKE /
// WAKE_BITSET, REQUEUE, CMP_REQUEUE and WAKE_OP. One address space, so FUTEX_PRIVATE_FLAG
// changes nothing: the key is the user address. The kernel is not preemptible, so reading
// the word and queueing the waiter is atomic with respect to every waker.
#include "unix/futex.h"

#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "sched/wait.h"
#include "unix/futex_table.h"
#include "unix/linux_abi.h"
#include "unix/syscall_handlers.h"

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
long futex_deadline(uint64_t uts, bool absolute, bool realtime, uint64_t* deadline) {
  *deadline = sched::kNoDeadline;
  if (!uts)
    return 0;
  linux::timespec ts;
  if (copy_from_user(&ts, reinterpret_cast<const void*>(uts), sizeof ts) < 0)
    return -EFAULT;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
    return -EINVAL;
  if (ts.tv_sec > 10000000000ll) // past the year 2286: wait forever (no overflow below)
    return 0;
  uint64_t ns = static_cast<uint64_t>(ts.tv_sec) * 1000000000 + static_cast<uint64_t>(ts.tv_nsec);
  uint64_t now = ktime::monotonic_ns();
  if (!absolute) {
    *deadline = now + ns;
  } else if (realtime) {
    uint64_t real = ktime::realtime_ns();
    *deadline = ns > real ? now + (ns - real) : now;
  } else {
    *deadline = ns;
  }
  return 0;
}

long futex_wait(uint64_t uaddr, uint32_t val, uint32_t bitset, uint64_t deadline) {
  if (!bitset)
    return -EINVAL;
  uint32_t v;
  if (copy_from_user(&v, reinterpret_cast<const void*>(uaddr), sizeof v) < 0)
    return -EFAULT;
  if (v != val)
    return -EAGAIN;
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
      return r;
    }
  }
}

// FUTEX_WAKE_OP's encoded operation on the word at uaddr2: returns the old value's
// comparison result, or -EFAULT.
long wake_op_apply(uint64_t uaddr2, uint32_t encoded) {
  int op = (encoded >> 28) & 7;
  bool shift = encoded >> 31;
  int cmp = (encoded >> 24) & 15;
  int32_t oparg = static_cast<int32_t>(encoded << 8) >> 20;
  int32_t cmparg = static_cast<int32_t>(encoded << 20) >> 20;
  if (shift)
    oparg = oparg >= 0 && oparg < 32 ? static_cast<int32_t>(1u << oparg) : 0;
  int32_t old;
  auto* word = reinterpret_cast<int32_t*>(uaddr2);
  if (copy_from_user(&old, word, sizeof old) < 0)
    return -EFAULT;
  int32_t next;
  switch (op) {
  case 0: next = oparg; break;                                                      // SET
  case 1: next = static_cast<int32_t>(static_cast<uint32_t>(old) + static_cast<uint32_t>(oparg)); break; // ADD
  case 2: next = old | oparg; break;                                                // OR
  case 3: next = old & ~oparg; break;                                               // ANDN
  case 4: next = old ^ oparg; break;                                                // XOR
  default: return -ENOSYS;
  }
  bool result;
  switch (cmp) {
  case 0: result = old == cmparg; break;
  case 1: result = old != cmparg; break;
  case 2: result = old < cmparg; break;
  case 3: result = old <= cmparg; break;
  case 4: result = old > cmparg; break;
  case 5: result = old >= cmparg; break;
  default: return -ENOSYS;
  }
  if (copy_to_user(word, &next, sizeof next) < 0)
    return -EFAULT;
  return result ? 1 : 0;
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
    return -EINVAL;
  if (realtime && cmd != kFutexWaitBitset && cmd != kFutexWait)
    return -ENOSYS;
  int n = static_cast<int>(val);
  switch (cmd) {
  case kFutexWait:
  case kFutexWaitBitset: {
    uint64_t deadline;
    // FUTEX_WAIT's timeout is relative; FUTEX_WAIT_BITSET's absolute on its clock.
    long r = futex_deadline(timeout_or_val2, cmd == kFutexWaitBitset, realtime, &deadline);
    if (r < 0)
      return r;
    return futex_wait(uaddr, val, cmd == kFutexWait ? ~0u : val3, deadline);
  }
  case kFutexWake:
    return n < 0 ? -EINVAL : g_futexes.wake(uaddr, n, ~0u, wake_waiter);
  case kFutexWakeBitset:
    if (!val3)
      return -EINVAL;
    return n < 0 ? -EINVAL : g_futexes.wake(uaddr, n, val3, wake_waiter);
  case kFutexCmpRequeue:
  case kFutexRequeue: {
    int n_move = static_cast<int>(timeout_or_val2);
    if (n < 0 || n_move < 0 || (uaddr2 & 3))
      return -EINVAL;
    if (cmd == kFutexCmpRequeue) {
      uint32_t v;
      if (copy_from_user(&v, reinterpret_cast<const void*>(uaddr), sizeof v) < 0)
        return -EFAULT;
      if (v != val3)
        return -EAGAIN;
    }
    return g_futexes.requeue(uaddr, uaddr2, n, n_move, wake_waiter);
  }
  case kFutexWakeOp: {
    int n2 = static_cast<int>(timeout_or_val2);
    if (n < 0 || n2 < 0 || (uaddr2 & 3))
      return -EINVAL;
    long cmp = wake_op_apply(uaddr2, val3);
    if (cmp < 0)
      return cmp;
    int woken = g_futexes.wake(uaddr, n, ~0u, wake_waiter);
    if (cmp)
      woken += g_futexes.wake(uaddr2, n2, ~0u, wake_waiter);
    return woken;
  }
  default:
    return -ENOSYS; // PI futexes and FUTEX_FD
  }
}

} // namespace unix
