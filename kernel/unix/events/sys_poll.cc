// poll, ppoll, select, pselect6: scan the descriptors' readiness (event_file.h); when none
// is ready, wait on sched::io_events() -- woken by every readiness change -- until the
// timeout, then scan again.
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "unix/fd/event_file.h"
#include "unix/syscall/heap_buffer.h"
#include "unix/syscall/linux_abi.h"
#include "unix/process/process.h"
#include "unix/signal/signal_state.h"
#include "unix/syscall/syscall_handlers.h"

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
ErrorOr<int64_t> relative_timeout(UserPtr<linux::timespec> uts) {
  if (uts.is_null())
    return int64_t{-1};
  linux::timespec ts = TRY(copy_from_user(uts));
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
    return Err(-EINVAL);
  return ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// The scans' convention (> 0 ready, 0 none, < 0 -errno) as a syscall result.
SyscallResult result_of(long r) {
  if (r < 0)
    return Err(static_cast<int>(r));
  return r;
}

struct PollFd {
  int32_t fd;
  int16_t events, revents;
};

long poll_scan(UserPtr<PollFd> ufds, uint64_t nfds) {
  long ready = 0;
  for (uint64_t i = 0; i < nfds; ++i) {
    PollFd p;
    if (!copy_from_user(&p, ufds.offset(i)).ok())
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
    UserPtr<void> revents = ufds.offset(i).as<void>().byte_offset(offsetof(PollFd, revents));
    if (!copy_to_user(revents, &p.revents, sizeof p.revents).ok())
      return -EFAULT;
  }
  return ready;
}

long do_poll(UserPtr<PollFd> ufds, uint64_t nfds, int64_t timeout_ns) {
  if (nfds > static_cast<uint64_t>(kMaxFds))
    return -EINVAL;
  return scan_until([&] { return poll_scan(ufds, nfds); }, deadline_after(timeout_ns),
                    "poll with nothing ready and no timeout");
}

} // namespace

SyscallResult sys_poll(const SyscallArgs& a) {
  int timeout_ms = a.i(2);
  return result_of(
      do_poll(a.user<PollFd>(0), a.u(1), timeout_ms < 0 ? -1 : int64_t(timeout_ms) * 1000000));
}

SyscallResult sys_ppoll(const SyscallArgs& a) {
  int64_t timeout = TRY(relative_timeout(a.user<linux::timespec>(2)));
  uint64_t saved = 0;
  if (a.u(3))
    saved = TRY(begin_temporary_mask(a.user<uint64_t>(3), a.u(4)));
  uint64_t start = ktime::monotonic_ns();
  long r = do_poll(a.user<PollFd>(0), a.u(1), timeout);
  if (a.u(2) && (r >= 0 || r == -EINTR)) {
    // Linux writes back the time left.
    uint64_t spent = ktime::monotonic_ns() - start;
    uint64_t left = static_cast<uint64_t>(timeout) > spent ? static_cast<uint64_t>(timeout) - spent : 0;
    linux::timespec ts{static_cast<int64_t>(left / 1000000000), static_cast<int64_t>(left % 1000000000)};
    (void)copy_to_user(a.user<linux::timespec>(2), &ts); // best effort, as Linux
  }
  return result_of(a.u(3) ? end_temporary_mask(r, saved) : r);
}

namespace {

// ---- select ----
constexpr uint32_t kSelectIn = kEpollIn | kEpollRdNorm | kEpollRdBand | kEpollHup | kEpollErr;
constexpr uint32_t kSelectOut = kEpollOut | kEpollWrNorm | kEpollWrBand | kEpollErr;
constexpr uint32_t kSelectEx = kEpollPri;
// select's sets: glibc's fd_set holds FD_SETSIZE (1024) descriptors, but programs that
// allocate larger sets pass larger nfds, and Linux reads that many bits (clipped to the
// descriptor table). Here nfds is clipped to RLIMIT_NOFILE; the six sets (what was asked,
// what is ready) live in one heap buffer.
class FdSets {
public:
  explicit FdSets(int nfds)
      : words_((static_cast<size_t>(nfds) + 63) / 64), buffer_(words_ ? words_ * 8 * 6 : 8) {}
  bool ok() const { return buffer_.ok(); }
  size_t bytes() const { return words_ * 8; }
  // which: 0 in, 1 out, 2 ex; asked or ready.
  uint64_t* asked(int which) { return words(which); }
  uint64_t* ready(int which) { return words(3 + which); }

private:
  uint64_t* words(int i) { return reinterpret_cast<uint64_t*>(buffer_.data()) + i * words_; }
  size_t words_;
  HeapBuffer buffer_;
};

bool has(const uint64_t* set, int fd) {
  return set[fd / 64] >> (fd % 64) & 1;
}

Status fetch_set(uint64_t* set, UserPtr<void> uset, size_t bytes) {
  memset(set, 0, bytes);
  if (uset.is_null())
    return status_ok();
  return copy_from_user(set, uset, bytes);
}

// Writes a result set back unless the caller passed none.
Status put_set(UserPtr<void> uset, const uint64_t* set, size_t bytes) {
  if (uset.is_null())
    return status_ok();
  return copy_to_user(uset, set, bytes);
}

// One pass: which of the asked descriptors are ready (the ready sets). -EBADF for a
// descriptor in a set that is not open.
long select_scan(int nfds, FdSets& sets) {
  constexpr uint32_t kWants[3] = {kSelectIn, kSelectOut, kSelectEx};
  for (int i = 0; i < 3; ++i)
    memset(sets.ready(i), 0, sets.bytes());
  long count = 0;
  for (int fd = 0; fd < nfds; ++fd) {
    bool asked[3] = {has(sets.asked(0), fd), has(sets.asked(1), fd), has(sets.asked(2), fd)};
    if (!asked[0] && !asked[1] && !asked[2])
      continue;
    File* f = process().files.get(fd);
    if (!f)
      return -EBADF;
    uint32_t ev = file_readiness(*f).events;
    for (int i = 0; i < 3; ++i) {
      if (asked[i] && (ev & kWants[i])) {
        sets.ready(i)[fd / 64] |= 1ull << (fd % 64);
        ++count;
      }
    }
  }
  return count;
}

// select's core; timeout_ns < 0: none. Writes the result sets back.
SyscallResult do_select(int nfds, UserPtr<void> uin, UserPtr<void> uout, UserPtr<void> uex,
                        int64_t timeout_ns) {
  if (nfds < 0)
    return Err(-EINVAL);
  if (nfds > process().files.limit())
    nfds = process().files.limit();
  FdSets sets(nfds);
  if (!sets.ok())
    return Err(-ENOMEM);
  UserPtr<void> user_sets[3] = {uin, uout, uex};
  for (int i = 0; i < 3; ++i)
    TRY(fetch_set(sets.asked(i), user_sets[i], sets.bytes()));
  long r = TRY(result_of(scan_until([&] { return select_scan(nfds, sets); },
                                    deadline_after(timeout_ns),
                                    "select with nothing ready and no timeout")));
  for (int i = 0; i < 3; ++i)
    TRY(put_set(user_sets[i], sets.ready(i), sets.bytes()));
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
  if (a.u(4)) {
    linux::timeval tv = TRY(copy_from_user(a.user<linux::timeval>(4)));
    if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
      return Err(-EINVAL);
    timeout = tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
  }
  uint64_t start = ktime::monotonic_ns();
  SyscallResult r = do_select(a.i(0), a.user<void>(1), a.user<void>(2), a.user<void>(3), timeout);
  if (a.u(4) && (r.ok() || r.error() == -EINTR)) {
    uint64_t left = left_of(timeout, start); // Linux updates the timeout to the time left
    linux::timeval tv{static_cast<int64_t>(left / 1000000000), static_cast<int64_t>(left % 1000000000 / 1000)};
    (void)copy_to_user(a.user<linux::timeval>(4), &tv); // best effort, as Linux
  }
  return r;
}

SyscallResult sys_pselect6(const SyscallArgs& a) {
  int64_t timeout = TRY(relative_timeout(a.user<linux::timespec>(4)));
  // The sixth argument points at {const sigset_t* set; size_t size}.
  struct SigArg {
    uint64_t set, size;
  };
  SigArg sig = {0, 0};
  if (a.u(5))
    sig = TRY(copy_from_user(a.user<SigArg>(5)));
  uint64_t saved = 0;
  if (sig.set)
    saved = TRY(begin_temporary_mask(UserPtr<uint64_t>(sig.set), sig.size));
  uint64_t start = ktime::monotonic_ns();
  long r = syscall_raw_result(
      do_select(a.i(0), a.user<void>(1), a.user<void>(2), a.user<void>(3), timeout));
  if (a.u(4) && (r >= 0 || r == -EINTR)) {
    uint64_t left = left_of(timeout, start);
    linux::timespec ts{static_cast<int64_t>(left / 1000000000), static_cast<int64_t>(left % 1000000000)};
    (void)copy_to_user(a.user<linux::timespec>(4), &ts); // best effort, as Linux
  }
  return result_of(sig.set ? end_temporary_mask(r, saved) : r);
}

} // namespace unix
