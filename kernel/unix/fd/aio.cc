// Linux AIO: io_setup, io_submit, io_getevents, io_cancel, io_destroy. Every file operation
// here completes before it returns (the file system and pipes are synchronous), so
// io_submit performs each request at once and queues its completion event; io_getevents
// takes events from that queue, waiting (for requests submitted by other threads) up to its
// timeout. IOCB_FLAG_RESFD signals an eventfd per completion, as Linux.
//
// The context id a program gets is the address of a page in its memory whose header looks
// like Linux's ring header with a magic number that is not Linux's: libaio then does not
// read completions from user memory and calls io_getevents, which is what this kernel
// serves.
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "sched/wait.h"
#include "unix/fd/event_file.h"
#include "unix/fd/file_ops.h"
#include "unix/fd/io_vector.h"
#include "unix/memory/memory.h"
#include "unix/process/process.h"
#include "unix/syscall/linux_abi.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

struct Iocb { // struct iocb of <linux/aio_abi.h>, x86-64 little-endian layout
  uint64_t data;
  uint32_t key, rw_flags;
  uint16_t opcode;
  int16_t reqprio;
  uint32_t fildes;
  uint64_t buf, nbytes;
  int64_t offset;
  uint64_t reserved2;
  uint32_t flags, resfd;
};
static_assert(sizeof(Iocb) == 64, "struct iocb");

struct IoEvent { // struct io_event
  uint64_t data, obj;
  int64_t res, res2;
};

struct RingHeader { // the first fields of Linux's struct aio_ring
  uint32_t id, nr, head, tail, magic, compat_features, incompat_features, header_length;
};

constexpr uint16_t kPread = 0, kPwrite = 1, kFsync = 2, kFdsync = 3, kPreadv = 7, kPwritev = 8;
constexpr uint32_t kFlagResfd = 1;
constexpr uint32_t kNotLinuxRingMagic = 0x4e414e4f; // "NANO": libaio falls back to syscalls
constexpr uint32_t kMaxEvents = 65536;
constexpr int kMaxContexts = 64;

struct Context {
  uint64_t id = 0; // user address of the ring header page; 0: slot free
  uint32_t capacity = 0;
  uint32_t head = 0, count = 0; // the queue of completed events
  IoEvent* events = nullptr;
  sched::WaitQueue waiters;
};

Context g_contexts[kMaxContexts];

Context* context_of(uint64_t id) {
  if (!id)
    return nullptr;
  for (Context& c : g_contexts)
    if (c.id == id)
      return &c;
  return nullptr;
}

// One request, performed now: its result (bytes or -errno) for the event.
long perform(const Iocb& cb) {
  File* f = process().files.get(static_cast<int>(cb.fildes));
  if (!f)
    return -EBADF;
  FileRef hold(f);
  ErrorOr<size_t> r = Err(-EINVAL);
  switch (cb.opcode) {
  case kPread:
    r = file_pread(*f, UserPtr<uint8_t>(cb.buf), cb.nbytes, cb.offset);
    break;
  case kPwrite:
    r = file_pwrite(*f, UserPtr<const uint8_t>(cb.buf), cb.nbytes, cb.offset);
    break;
  case kPreadv:
  case kPwritev: {
    UserIoVector io;
    if (Status s = io.fetch(UserPtr<const linux::iovec>(cb.buf), static_cast<long>(cb.nbytes));
        !s.ok())
      return s.error();
    r = cb.opcode == kPreadv ? file_preadv(*f, io.vector(), cb.offset)
                             : file_pwritev(*f, io.vector(), cb.offset);
    break;
  }
  case kFsync:
  case kFdsync: {
    SyscallArgs a{{static_cast<long>(cb.fildes), 0, 0, 0, 0, 0}};
    SyscallResult s = sys_fsync(a);
    return s.ok() ? 0 : s.error();
  }
  default:
    return -EINVAL;
  }
  return r.ok() ? static_cast<long>(*r) : r.error();
}

// Checks a request before it is queued; errors here fail io_submit itself, as on Linux.
Status check(const Iocb& cb) {
  if (cb.reserved2 || (cb.flags & ~kFlagResfd))
    return Err(-EINVAL);
  switch (cb.opcode) {
  case kPread:
  case kPwrite:
  case kPreadv:
  case kPwritev:
  case kFsync:
  case kFdsync:
    break;
  default:
    return Err(-EINVAL);
  }
  if (!process().files.get(static_cast<int>(cb.fildes)))
    return Err(-EBADF);
  if (cb.flags & kFlagResfd) {
    File* ef = process().files.get(static_cast<int>(cb.resfd));
    if (!ef)
      return Err(-EBADF);
    if (ef->kind != FileKind::kEventfd)
      return Err(-EINVAL);
  }
  return status_ok();
}

} // namespace

SyscallResult sys_io_setup(const SyscallArgs& a) {
  uint32_t nr = static_cast<uint32_t>(a.u(0));
  auto uctx = a.user<uint64_t>(1);
  uint64_t existing = TRY(copy_from_user(uctx));
  if (existing || nr == 0 || nr > kMaxEvents)
    return Err(-EINVAL);
  Context* c = nullptr;
  for (Context& slot : g_contexts)
    if (!slot.id) {
      c = &slot;
      break;
    }
  if (!c)
    return Err(-EAGAIN); // Linux: past aio-max-nr
  auto* events = static_cast<IoEvent*>(kzalloc(sizeof(IoEvent) * nr));
  if (!events)
    return Err(-ENOMEM);
  auto ring = map_anonymous(4096, mm::kProtRead | mm::kProtWrite);
  if (!ring.ok()) {
    kfree(events);
    return Err(ring.error());
  }
  RingHeader h{0, nr, 0, 0, kNotLinuxRingMagic, 0, 0, sizeof(RingHeader)};
  uint64_t id = *ring;
  if (Status s = copy_to_user(UserPtr<RingHeader>(id), &h);
      !s.ok() || !copy_to_user(uctx, &id).ok()) {
    (void)unmap_range(id, id + 4096);
    kfree(events);
    return Err(-EFAULT);
  }
  c->id = id;
  c->capacity = nr;
  c->head = c->count = 0;
  c->events = events;
  return 0L;
}

SyscallResult sys_io_destroy(const SyscallArgs& a) {
  Context* c = context_of(a.u(0));
  if (!c)
    return Err(-EINVAL);
  uint64_t id = c->id;
  c->id = 0;
  kfree(c->events);
  c->events = nullptr;
  sched::wake_all(c->waiters); // io_getevents in other threads: EINVAL on their next look
  (void)unmap_range(id, id + 4096);
  return 0L;
}

SyscallResult sys_io_submit(const SyscallArgs& a) {
  Context* c = context_of(a.u(0));
  long nr = a.s(1);
  if (!c || nr < 0)
    return Err(-EINVAL);
  auto list = a.user<uint64_t>(2);
  long done = 0;
  for (; done < nr; ++done) {
    if (c->count == c->capacity)
      return done ? SyscallResult(done) : Err(-EAGAIN);
    auto address = copy_from_user(list.offset(static_cast<size_t>(done)));
    if (!address.ok())
      return done ? SyscallResult(done) : Err(-EFAULT);
    auto cb = copy_from_user(UserPtr<Iocb>(*address));
    if (!cb.ok())
      return done ? SyscallResult(done) : Err(-EFAULT);
    if (Status s = check(*cb); !s.ok())
      return done ? SyscallResult(done) : Err(s.error());
    long res = perform(*cb);
    c = context_of(a.u(0)); // a blocking request may have let io_destroy run
    if (!c)
      return done + 1;
    c->events[(c->head + c->count) % c->capacity] = {cb->data, *address, res, 0};
    ++c->count;
    sched::wake_all(c->waiters);
    if (cb->flags & kFlagResfd)
      if (File* ef = process().files.get(static_cast<int>(cb->resfd)))
        eventfd_signal(*ef, 1);
  }
  return done;
}

SyscallResult sys_io_getevents(const SyscallArgs& a) {
  long min_nr = a.s(1), nr = a.s(2);
  auto out = a.user<IoEvent>(3);
  Context* c = context_of(a.u(0));
  if (!c || min_nr < 0 || nr < 0 || min_nr > nr)
    return Err(-EINVAL);
  uint64_t deadline = sched::kNoDeadline;
  if (a.u(4)) {
    linux::timespec ts = TRY(copy_from_user(a.user<linux::timespec>(4)));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
      return Err(-EINVAL);
    deadline = ktime::monotonic_ns() + static_cast<uint64_t>(ts.tv_sec) * 1000000000 +
               static_cast<uint64_t>(ts.tv_nsec);
  }
  uint64_t id = c->id;
  while (c->count < static_cast<uint64_t>(min_nr)) {
    if (deadline != sched::kNoDeadline && ktime::monotonic_ns() >= deadline)
      break;
    int r = sched::wait(c->waiters, deadline, "io_getevents with too few requests in flight");
    c = context_of(id);
    if (!c)
      return Err(-EINVAL);
    if (r == -EINTR)
      return Err(-EINTR);
  }
  long got = 0;
  while (got < nr && c->count) {
    if (!copy_to_user(out.offset(static_cast<size_t>(got)), &c->events[c->head]).ok())
      return got ? SyscallResult(got) : Err(-EFAULT);
    c->head = (c->head + 1) % c->capacity;
    --c->count;
    ++got;
  }
  return got;
}

// Every request completed inside io_submit: none is ever in flight to cancel.
SyscallResult sys_io_cancel(const SyscallArgs& a) {
  if (!context_of(a.u(0)))
    return Err(-EINVAL);
  TRY(copy_from_user(a.user<Iocb>(1)));
  return Err(-EINVAL);
}

} // namespace unix
