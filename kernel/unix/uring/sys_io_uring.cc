// io_uring_setup, io_uring_enter and io_uring_register (ring.h describes the instance).
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/new.h"
#include "lib/string.h"
#include "unix/fd/event_file.h"
#include "unix/process/process.h"
#include "unix/signal/signal_state.h"
#include "unix/syscall/syscall_handlers.h"
#include "unix/uring/ring.h"

namespace unix {

using uring::Ring;

SyscallResult sys_io_uring_setup(const SyscallArgs& a) {
  auto uparams = a.user<uring::Params>(1);
  uring::Params p = TRY(copy_from_user(uparams));
  for (uint32_t word : p.resv)
    if (word)
      return Err(-EINVAL);
  // entries is a u32 argument, as on Linux.
  uring::RingSizes sizes =
      TRY(uring::ring_sizes(static_cast<uint32_t>(a.u(0)), p.flags, p.cq_entries));
  uring::RingLayout layout = uring::ring_layout(sizes);
  p.sq_entries = sizes.sq_entries;
  p.cq_entries = sizes.cq_entries;
  p.features = uring::kFeatures;
  p.sq_off = layout.sq;
  p.cq_off = layout.cq;
  // Written before the descriptor exists: a fault leaves nothing behind to close.
  TRY(copy_to_user(uparams, &p));
  int fd = TRY(uring::create_ring_file(layout));
  return fd;
}

namespace {

ErrorOr<Ring*> ring_for(int fd) {
  File* f = TRY(file_for(fd));
  Ring* r = uring::ring_of(*f);
  if (!r)
    return Err(-EOPNOTSUPP);
  return r;
}

// Waits until `wanted` CQEs are ready, advancing in-flight requests meanwhile. EINTR for
// a signal, ETIME past the deadline.
Status wait_for_completions(Ring& r, uint32_t wanted, uint64_t deadline) {
  for (;;) {
    uring::progress(r);
    if (uring::completions_ready(r) >= wanted)
      return status_ok();
    int w = sched::wait(sched::io_events(), deadline, "io_uring_enter waiting for completions");
    if (w == -EINTR)
      return Err(-EINTR);
    if (w == -ETIMEDOUT) {
      uring::progress(r);
      return uring::completions_ready(r) >= wanted ? status_ok() : Err(-ETIME);
    }
  }
}

// How io_uring_enter waits: a signal mask (pselect's form) and, with IORING_ENTER_EXT_ARG,
// a relative timeout, both from struct io_uring_getevents_arg.
struct WaitArgs {
  uint64_t sigmask = 0, sigmask_size = 0;
  uint64_t deadline = sched::kNoDeadline;
};

struct GeteventsArg { // struct io_uring_getevents_arg
  uint64_t sigmask;
  uint32_t sigmask_sz, pad;
  uint64_t ts;
};
static_assert(sizeof(GeteventsArg) == 24);

struct KernelTimespec {
  int64_t tv_sec, tv_nsec;
};

ErrorOr<WaitArgs> wait_args(const SyscallArgs& a, uint32_t flags) {
  WaitArgs w;
  if (!(flags & uring::kEnterExtArg)) {
    w.sigmask = a.u(4);
    w.sigmask_size = a.u(5);
    return w;
  }
  if (a.u(5) != sizeof(GeteventsArg))
    return Err(-EINVAL);
  GeteventsArg arg = TRY(copy_from_user(a.user<GeteventsArg>(4)));
  if (arg.pad)
    return Err(-EINVAL);
  w.sigmask = arg.sigmask;
  w.sigmask_size = arg.sigmask_sz;
  if (arg.ts) {
    KernelTimespec ts = TRY(copy_from_user(UserPtr<KernelTimespec>(arg.ts)));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
      return Err(-EINVAL);
    w.deadline = ktime::monotonic_ns() + static_cast<uint64_t>(ts.tv_sec) * 1000000000 +
                 static_cast<uint64_t>(ts.tv_nsec);
  }
  return w;
}

} // namespace

SyscallResult sys_io_uring_enter(const SyscallArgs& a) {
  uint32_t to_submit = static_cast<uint32_t>(a.u(1)), min_complete = static_cast<uint32_t>(a.u(2));
  uint32_t flags = static_cast<uint32_t>(a.u(3));
  if (flags & ~uring::kEnterSupported)
    return Err(-EINVAL);
  File* f = TRY(file_for(a.i(0)));
  FileRef hold(f); // another thread may close the ring while this one waits
  Ring* r = TRY(ring_for(a.i(0)));
  WaitArgs wait;
  if (flags & uring::kEnterGetEvents)
    wait = TRY(wait_args(a, flags));
  long submitted = to_submit ? uring::submit(*r, to_submit) : 0;
  if (!(flags & uring::kEnterGetEvents)) {
    uring::progress(*r);
    return submitted;
  }
  if (min_complete > r->layout.sizes.cq_entries)
    min_complete = r->layout.sizes.cq_entries;
  Status waited = status_ok();
  if (wait.sigmask) { // the signal mask while waiting, as pselect's
    uint64_t saved = TRY(begin_temporary_mask(UserPtr<uint64_t>(wait.sigmask), wait.sigmask_size));
    Status s = wait_for_completions(*r, min_complete, wait.deadline);
    if (long e = end_temporary_mask(s.ok() ? 0 : s.error(), saved); e < 0)
      waited = Err(static_cast<int>(e));
  } else {
    waited = wait_for_completions(*r, min_complete, wait.deadline);
  }
  if (!waited.ok() && !submitted)
    return Err(waited.error());
  return submitted;
}

namespace {

Status register_files(Ring& r, UserPtr<int32_t> fds, uint32_t count) {
  if (r.fixed_files)
    return Err(-EBUSY);
  if (count == 0)
    return Err(-EINVAL);
  if (count > uring::kMaxFixedFiles)
    return Err(-EMFILE);
  auto** table = new (std::nothrow) File*[count];
  if (!table)
    return Err(-ENOMEM);
  memset(table, 0, sizeof(File*) * count);
  for (uint32_t i = 0; i < count; ++i) {
    auto fd = copy_from_user(fds.offset(i));
    File* f = fd.ok() && *fd != -1 ? process().files.get(*fd) : nullptr;
    Status s = !fd.ok()                                    ? Err(-EFAULT)
               : (*fd != -1 && (!f || uring::ring_of(*f))) ? Err(-EBADF)
                                                           : status_ok();
    if (!s.ok()) {
      for (uint32_t j = 0; j < i; ++j)
        if (table[j])
          release_file(table[j]);
      delete[] table;
      return s;
    }
    if (f)
      ++f->refs;
    table[i] = f;
  }
  r.fixed_files = table;
  r.fixed_count = count;
  return status_ok();
}

Status unregister_files(Ring& r) {
  if (!r.fixed_files)
    return Err(-ENXIO);
  for (uint32_t i = 0; i < r.fixed_count; ++i)
    if (r.fixed_files[i])
      release_file(r.fixed_files[i]);
  delete[] r.fixed_files;
  r.fixed_files = nullptr;
  r.fixed_count = 0;
  return status_ok();
}

Status register_eventfd(Ring& r, UserPtr<int32_t> ufd, uint32_t count) {
  if (count != 1)
    return Err(-EINVAL);
  if (r.eventfd)
    return Err(-EBUSY);
  int32_t fd = TRY(copy_from_user(ufd));
  File* f = TRY(file_for(fd));
  if (f->kind != FileKind::kEventfd)
    return Err(-EINVAL);
  ++f->refs;
  r.eventfd = f;
  return status_ok();
}

// REGISTER_PROBE: the caller's zeroed array of `count` entries gets one per opcode, marked
// supported for exactly the opcodes requests.cc performs.
Status register_probe(UserPtr<uint8_t> uprobe, uint32_t count) {
  // As Linux: at most one entry per opcode this kernel knows, the last being RECV.
  if (count > uring::kLastSupportedOp + 1u)
    count = uring::kLastSupportedOp + 1u;
  size_t bytes = sizeof(uring::ProbeHeader) + count * sizeof(uring::ProbeOp);
  uint8_t buf[sizeof(uring::ProbeHeader) + (uring::kLastSupportedOp + 1) * sizeof(uring::ProbeOp)];
  TRY(copy_from_user(buf, uprobe.as<void>(), bytes));
  for (size_t i = 0; i < bytes; ++i)
    if (buf[i])
      return Err(-EINVAL);
  auto* head = reinterpret_cast<uring::ProbeHeader*>(buf);
  auto* ops = reinterpret_cast<uring::ProbeOp*>(buf + sizeof(uring::ProbeHeader));
  head->last_op = uring::kLastSupportedOp;
  head->ops_len = static_cast<uint8_t>(count);
  for (uint32_t op = 0; op < count; ++op) {
    ops[op].op = static_cast<uint8_t>(op);
    ops[op].flags =
        uring::opcode_supported(static_cast<uint8_t>(op)) ? uring::kProbeOpSupported : 0;
  }
  return copy_to_user(uprobe.as<void>(), buf, bytes);
}

} // namespace

SyscallResult sys_io_uring_register(const SyscallArgs& a) {
  Ring* r = TRY(ring_for(a.i(0)));
  unsigned opcode = static_cast<unsigned>(a.u(1));
  uint32_t count = static_cast<uint32_t>(a.u(3));
  switch (opcode) {
  case uring::kRegisterFiles:
    TRY(register_files(*r, a.user<int32_t>(2), count));
    return 0L;
  case uring::kUnregisterFiles:
    if (a.u(2) || count)
      return Err(-EINVAL);
    TRY(unregister_files(*r));
    return 0L;
  case uring::kRegisterEventfd:
    TRY(register_eventfd(*r, a.user<int32_t>(2), count));
    return 0L;
  case uring::kUnregisterEventfd:
    if (a.u(2) || count)
      return Err(-EINVAL);
    if (!r->eventfd)
      return Err(-ENXIO);
    release_file(r->eventfd);
    r->eventfd = nullptr;
    return 0L;
  case uring::kRegisterProbe:
    TRY(register_probe(a.user<uint8_t>(2), count));
    return 0L;
  default: // registered buffers, personalities, restrictions...: not here
    return Err(-EINVAL);
  }
}

} // namespace unix
