// poll, ppoll, select, pselect6: scan the descriptors' readiness (event_file.h); when none
// is ready, wait on sched::io_events() -- woken by every readiness change -- until the
// timeout, then scan again.
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "unix/event_file.h"
#include "unix/linux_abi.h"
#include "unix/process.h"
#include "unix/signal_state.h"
#include "unix/syscall_handlers.h"

namespace unix {
namespace {

// Absolute monotonic deadline for a relative timeout in ns (negative: none).
uint64_t deadline_after(int64_t timeout_ns) {
  if (timeout_ns < 0)
    return sched::kNoDeadline;
  return ktime::monotonic_ns() + static_cast<uint64_t>(timeout_ns);
}

// Repeats scan() (> 0: that many ready, < 0: error) until something is ready, the deadline
// passes (0) or a signal interrupts the wait (-EINTR).
template <typename Scan> long scan_until(Scan scan, uint64_t deadline, const char* what) {
  for (;;) {
    long n = scan();
    if (n != 0)
      return n;
    if (deadline != sched::kNoDeadline && ktime::monotonic_ns() >= deadline)
      return 0;
    int r = sched::wait(sched::io_events(), deadline, what);
    if (r == -EINTR)
      return -EINTR;
  }
}

// Reads a user timespec as a relative timeout in ns; a null pointer means none (-1).
long timeout_from_timespec(const void* uts, int64_t* ns) {
  *ns = -1;
  if (!uts)
    return 0;
  linux::timespec ts;
  if (copy_from_user(&ts, uts, sizeof ts) < 0)
    return -EFAULT;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
    return -EINVAL;
  *ns = ts.tv_sec * 1000000000 + ts.tv_nsec;
  return 0;
}

struct PollFd {
  int32_t fd;
  int16_t events, revents;
};

long poll_scan(PollFd* ufds, uint64_t nfds) {
  long ready = 0;
  for (uint64_t i = 0; i < nfds; ++i) {
    PollFd p;
    if (copy_from_user(&p, ufds + i, sizeof p) < 0)
      return -EFAULT;
    p.revents = 0;
    if (p.fd >= 0) {
      File* f = process().files.get(p.fd);
      uint32_t ev = f ? file_readiness(*f).events : kEpollNval;
      uint32_t wanted = static_cast<uint16_t>(p.events) | kEpollErr | kEpollHup | kEpollNval;
      p.revents = static_cast<int16_t>(ev & wanted);
    }
    if (p.revents)
      ++ready;
    if (copy_to_user(&ufds[i].revents, &p.revents, sizeof p.revents) < 0)
      return -EFAULT;
  }
  return ready;
}

long do_poll(PollFd* ufds, uint64_t nfds, int64_t timeout_ns) {
  if (nfds > static_cast<uint64_t>(kMaxFds))
    return -EINVAL;
  return scan_until([&] { return poll_scan(ufds, nfds); }, deadline_after(timeout_ns),
                    "poll with nothing ready and no timeout");
}

} // namespace

SyscallResult sys_poll(const SyscallArgs& a) {
  int timeout_ms = a.i(2);
  return do_poll(a.p<PollFd>(0), a.u(1), timeout_ms < 0 ? -1 : int64_t(timeout_ms) * 1000000);
}

SyscallResult sys_ppoll(const SyscallArgs& a) {
  int64_t timeout;
  if (long r = timeout_from_timespec(a.p<const void>(2), &timeout); r < 0)
    return r;
  uint64_t saved = 0;
  if (a.a[3]) {
    if (long r = begin_temporary_mask(a.p<const void>(3), a.u(4), &saved); r < 0)
      return r;
  }
  uint64_t start = ktime::monotonic_ns();
  long r = do_poll(a.p<PollFd>(0), a.u(1), timeout);
  if (a.a[2] && (r >= 0 || r == -EINTR)) {
    // Linux writes back the time left.
    uint64_t spent = ktime::monotonic_ns() - start;
    uint64_t left = static_cast<uint64_t>(timeout) > spent ? static_cast<uint64_t>(timeout) - spent : 0;
    linux::timespec ts{static_cast<int64_t>(left / 1000000000), static_cast<int64_t>(left % 1000000000)};
    copy_to_user(a.p<void>(2), &ts, sizeof ts);
  }
  return a.a[3] ? end_temporary_mask(r, saved) : r;
}

namespace {

// ---- select ----
constexpr uint32_t kSelectIn = kEpollIn | kEpollRdNorm | kEpollRdBand | kEpollHup | kEpollErr;
constexpr uint32_t kSelectOut = kEpollOut | kEpollWrNorm | kEpollWrBand | kEpollErr;
constexpr uint32_t kSelectEx = kEpollPri;
constexpr int kSetWords = kMaxFds / 64;

struct FdSets {
  uint64_t in[kSetWords], out[kSetWords], ex[kSetWords];
};

bool has(const uint64_t* set, int fd) {
  return set[fd / 64] >> (fd % 64) & 1;
}

long fetch_set(uint64_t* set, const void* uset, size_t bytes) {
  memset(set, 0, kSetWords * 8);
  return uset && copy_from_user(set, uset, bytes) < 0 ? -EFAULT : 0;
}

// One pass: which of the asked descriptors are ready (results in *out). -EBADF for a
// descriptor in a set that is not open.
long select_scan(int nfds, const FdSets& want, FdSets* got) {
  memset(got, 0, sizeof *got);
  long count = 0;
  for (int fd = 0; fd < nfds; ++fd) {
    bool r = has(want.in, fd), w = has(want.out, fd), e = has(want.ex, fd);
    if (!r && !w && !e)
      continue;
    File* f = process().files.get(fd);
    if (!f)
      return -EBADF;
    uint32_t ev = file_readiness(*f).events;
    uint64_t bit = 1ull << (fd % 64);
    if (r && (ev & kSelectIn))
      got->in[fd / 64] |= bit, ++count;
    if (w && (ev & kSelectOut))
      got->out[fd / 64] |= bit, ++count;
    if (e && (ev & kSelectEx))
      got->ex[fd / 64] |= bit, ++count;
  }
  return count;
}

// select's core; timeout_ns < 0: none. Writes the result sets back.
long do_select(int nfds, void* uin, void* uout, void* uex, int64_t timeout_ns) {
  if (nfds < 0)
    return -EINVAL;
  if (nfds > kMaxFds)
    nfds = kMaxFds;
  size_t bytes = (static_cast<size_t>(nfds) + 63) / 64 * 8;
  FdSets want, got; // 768 bytes of the kernel stack
  if (fetch_set(want.in, uin, bytes) < 0 || fetch_set(want.out, uout, bytes) < 0 ||
      fetch_set(want.ex, uex, bytes) < 0)
    return -EFAULT;
  long r = scan_until([&] { return select_scan(nfds, want, &got); }, deadline_after(timeout_ns),
                      "select with nothing ready and no timeout");
  if (r < 0)
    return r;
  if ((uin && copy_to_user(uin, got.in, bytes) < 0) ||
      (uout && copy_to_user(uout, got.out, bytes) < 0) ||
      (uex && copy_to_user(uex, got.ex, bytes) < 0))
    return -EFAULT;
  return r;
}

uint64_t left_of(int64_t timeout_ns, uint64_t start) {
  uint64_t spent = ktime::monotonic_ns() - start;
  auto t = static_cast<uint64_t>(timeout_ns);
  return t > spent ? t - spent : 0;
}

} // namespace

SyscallResult sys_select(const SyscallArgs& a) {
  int64_t timeout = -1;
  if (a.a[4]) {
    linux::timeval tv;
    if (copy_from_user(&tv, a.p<const void>(4), sizeof tv) < 0)
      return -EFAULT;
    if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
      return -EINVAL;
    timeout = tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
  }
  uint64_t start = ktime::monotonic_ns();
  long r = do_select(a.i(0), a.p<void>(1), a.p<void>(2), a.p<void>(3), timeout);
  if (a.a[4] && (r >= 0 || r == -EINTR)) {
    uint64_t left = left_of(timeout, start); // Linux updates the timeout to the time left
    linux::timeval tv{static_cast<int64_t>(left / 1000000000), static_cast<int64_t>(left % 1000000000 / 1000)};
    copy_to_user(a.p<void>(4), &tv, sizeof tv);
  }
  return r;
}

SyscallResult sys_pselect6(const SyscallArgs& a) {
  int64_t timeout;
  if (long r = timeout_from_timespec(a.p<const void>(4), &timeout); r < 0)
    return r;
  // The sixth argument points at {const sigset_t* set; size_t size}.
  struct {
    uint64_t set, size;
  } sig = {0, 0};
  if (a.a[5] && copy_from_user(&sig, a.p<const void>(5), sizeof sig) < 0)
    return -EFAULT;
  uint64_t saved = 0;
  if (sig.set) {
    if (long r = begin_temporary_mask(reinterpret_cast<const void*>(sig.set), sig.size, &saved); r < 0)
      return r;
  }
  uint64_t start = ktime::monotonic_ns();
  long r = do_select(a.i(0), a.p<void>(1), a.p<void>(2), a.p<void>(3), timeout);
  if (a.a[4] && (r >= 0 || r == -EINTR)) {
    uint64_t left = left_of(timeout, start);
    linux::timespec ts{static_cast<int64_t>(left / 1000000000), static_cast<int64_t>(left % 1000000000)};
    copy_to_user(a.p<void>(4), &ts, sizeof ts);
  }
  return sig.set ? end_temporary_mask(r, saved) : r;
}

} // namespace unix
