// io_uring requests: submission of SQEs in IO_LINK chains, one attempt of each opcode,
// completion, and the in-flight list of requests that would have blocked (ring.h says when
// those are tried again).
//
// An attempt never blocks: file I/O runs with the description temporarily O_NONBLOCK, and
// an EAGAIN from a file the program left blocking means "not yet" (the request stays in
// flight), as Linux's io_uring arms a poll instead of sleeping. A file the program made
// O_NONBLOCK (or MSG_DONTWAIT) gets its EAGAIN in the CQE. CONNECT is the exception: it is
// performed like connect(2), which may wait for the handshake inside io_uring_enter.
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/new.h"
#include "lib/string.h"
#include "unix/fd/event_file.h"
#include "unix/fd/file_ops.h"
#include "unix/fd/io_vector.h"
#include "unix/process/process.h"
#include "unix/socket/socket.h"
#include "unix/syscall/linux_abi.h"
#include "unix/syscall/syscall_handlers.h"
#include "unix/uring/ring.h"

namespace unix::uring {

struct Request {
  Sqe sqe;
  File* file = nullptr;        // the file of a file-taking opcode (a reference is held)
  linux::iovec* iov = nullptr; // READV/WRITEV: the vector, read at submission
  long iov_count = 0;
  size_t iov_total = 0;
  uint64_t deadline = 0;   // TIMEOUT: absolute monotonic deadline
  uint64_t target = 0;     // TIMEOUT with a count: the completion sequence to reach
  Request* link = nullptr; // the next request of its IO_LINK chain
  Request* next = nullptr; // the ring's in-flight list
};

namespace {

struct Outcome {
  bool done;
  long res;
};
constexpr Outcome kNotYet{false, 0};
Outcome finished(long res) {
  return {true, res};
}
template <typename T> long value_or_error(const ErrorOr<T>& r) {
  return r.ok() ? static_cast<long>(*r) : r.error();
}

constexpr int kMsgNoSignal = 0x4000; // io_uring's SEND never raises SIGPIPE (as Linux)

struct KernelTimespec { // struct __kernel_timespec
  int64_t tv_sec, tv_nsec;
};

// Runs io on f as if it were O_NONBLOCK. EAGAIN is "not yet" when the request may wait.
template <typename Io> Outcome without_blocking(File& f, bool may_wait, Io&& io) {
  int saved = f.flags;
  f.flags |= linux::O_NONBLOCK;
  long res = io();
  f.flags = (f.flags & ~linux::O_NONBLOCK) | (saved & linux::O_NONBLOCK);
  if (res == -EAGAIN && may_wait && !(saved & linux::O_NONBLOCK))
    return kNotYet;
  return finished(res);
}

// Request records are recycled through the ring (a batch of NOPs would otherwise pay a heap
// allocation and free per SQE); a few are kept, the rest freed.
constexpr uint32_t kSpareRequests = 64;

Request* new_request(Ring& r) {
  if (Request* req = r.spare) {
    r.spare = req->next;
    --r.spare_count;
    *req = Request{};
    return req;
  }
  return new (std::nothrow) Request;
}

void destroy(Ring& r, Request* req) {
  if (req->file)
    release_file(req->file);
  delete[] req->iov;
  if (r.spare_count < kSpareRequests) { // new_request clears it when it is taken again
    req->next = r.spare;
    r.spare = req;
    ++r.spare_count;
    return;
  }
  delete req;
}

bool takes_file(uint8_t opcode) {
  return opcode_takes_fixed_file(opcode) || opcode == kOpAccept;
}

// The request's file, by descriptor or by registered index (IOSQE_FIXED_FILE), held.
Status resolve_file(Ring& r, Request& req) {
  File* f;
  if (req.sqe.flags & kSqeFixedFile) {
    auto index = static_cast<uint32_t>(req.sqe.fd);
    f = index < r.fixed_count ? r.fixed_files[index] : nullptr;
  } else {
    f = process().files.get(req.sqe.fd);
  }
  if (!f)
    return Err(-EBADF);
  ++f->refs;
  req.file = f;
  return status_ok();
}

// What a request needs from user memory, read once at submission (SUBMIT_STABLE): its
// checks, READV/WRITEV's vector, TIMEOUT's time. A failure here ends the submission batch,
// as Linux's failures before issue do; a bad descriptor or buffer is found at issue.
Status prepare(Ring& r, Request& req) {
  TRY(check_sqe(req.sqe));
  const Sqe& sqe = req.sqe;
  if (sqe.opcode == kOpReadv || sqe.opcode == kOpWritev) {
    UserIoVector io;
    TRY(io.fetch(UserPtr<const linux::iovec>(sqe.addr), sqe.len));
    const IoVector& v = io.vector();
    req.iov = new (std::nothrow) linux::iovec[v.count ? v.count : 1];
    if (!req.iov)
      return Err(-ENOMEM);
    memcpy(req.iov, v.v, sizeof(linux::iovec) * static_cast<size_t>(v.count));
    req.iov_count = v.count;
    req.iov_total = v.total;
  }
  if (sqe.opcode == kOpTimeout) {
    KernelTimespec ts = TRY(copy_from_user(UserPtr<KernelTimespec>(sqe.addr)));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
      return Err(-EINVAL);
    uint64_t span =
        static_cast<uint64_t>(ts.tv_sec) * 1000000000 + static_cast<uint64_t>(ts.tv_nsec);
    req.deadline = (sqe.op_flags & kTimeoutAbs) ? span : ktime::monotonic_ns() + span;
    if (sqe.off)
      req.target = r.completions + sqe.off;
  }
  return status_ok();
}

ErrorOr<size_t> read_or_write(Request& req) {
  File& f = *req.file;
  const Sqe& sqe = req.sqe;
  // Offset -1 (and any offset of a stream) means the file offset, which moves.
  bool at_offset = sqe.off != ~0ull && f.ops->positional;
  auto pos = static_cast<int64_t>(sqe.off);
  if (sqe.opcode == kOpRead) {
    UserPtr<uint8_t> buf(sqe.addr);
    return at_offset ? file_pread(f, buf, sqe.len, pos) : file_read(f, buf, sqe.len);
  }
  if (sqe.opcode == kOpWrite) {
    UserPtr<const uint8_t> buf(sqe.addr);
    return at_offset ? file_pwrite(f, buf, sqe.len, pos) : file_write(f, buf, sqe.len);
  }
  IoVector io{req.iov, req.iov_count, req.iov_total};
  if (sqe.opcode == kOpReadv)
    return at_offset ? file_preadv(f, io, pos) : file_readv(f, io);
  return at_offset ? file_pwritev(f, io, pos) : file_writev(f, io);
}

Outcome socket_transfer(Request& req) {
  File& f = *req.file;
  if (f.kind != FileKind::kSocket)
    return finished(-ENOTSOCK);
  const Sqe& sqe = req.sqe;
  int flags = static_cast<int>(sqe.op_flags);
  linux::iovec one{sqe.addr, sqe.len};
  IoVector io{&one, 1, sqe.len};
  return without_blocking(f, !(flags & kMsgDontwait), [&] {
    if (sqe.opcode == kOpSend)
      return value_or_error(
          socket_of(f)->send(f, io, flags | kMsgNoSignal, UserPtr<const void>(), 0));
    int msg_flags = 0;
    SocketAddress from;
    return value_or_error(socket_of(f)->receive(f, io, flags, &msg_flags, &from));
  });
}

Outcome poll_once(Request& req) {
  uint32_t wanted = (req.sqe.op_flags & 0xffff) | kEpollErr | kEpollHup;
  uint32_t ready = file_readiness(*req.file).events & wanted;
  return ready ? finished(ready) : kNotYet;
}

Outcome timeout_once(Ring& r, Request& req) {
  if (req.target && r.completions >= req.target)
    return finished(0);
  if (ktime::monotonic_ns() >= req.deadline)
    return finished(-ETIME);
  return kNotYet;
}

long through_syscall(SyscallHandler handler, long a0, long a1 = 0, long a2 = 0, long a3 = 0,
                     long a4 = 0) {
  SyscallArgs a{{a0, a1, a2, a3, a4, 0}};
  return syscall_raw_result(handler(a));
}

Outcome cancel_in_flight(Ring& r, uint8_t opcode, uint64_t user_data);

// One attempt at a prepared request.
Outcome attempt(Ring& r, Request& req) {
  const Sqe& sqe = req.sqe;
  auto addr = static_cast<long>(sqe.addr), off = static_cast<long>(sqe.off);
  switch (sqe.opcode) {
  case kOpNop:
    return finished(0);
  case kOpRead:
  case kOpWrite:
  case kOpReadv:
  case kOpWritev:
    return without_blocking(*req.file, true, [&] { return value_or_error(read_or_write(req)); });
  case kOpSend:
  case kOpRecv:
    return socket_transfer(req);
  case kOpPollAdd:
    return poll_once(req);
  case kOpTimeout:
    return timeout_once(r, req);
  case kOpPollRemove:
    return cancel_in_flight(r, kOpPollAdd, sqe.addr);
  case kOpTimeoutRemove:
    return cancel_in_flight(r, kOpTimeout, sqe.addr);
  case kOpAccept:
    return without_blocking(*req.file, true, [&] {
      return through_syscall(sys_accept4, sqe.fd, addr, off, static_cast<long>(sqe.op_flags));
    });
  case kOpConnect:
    return finished(through_syscall(sys_connect, sqe.fd, addr, off));
  case kOpOpenat:
    return finished(through_syscall(sys_openat, sqe.fd, addr, static_cast<long>(sqe.op_flags),
                                    static_cast<long>(sqe.len)));
  case kOpClose: {
    File* f = process().files.get(sqe.fd);
    if (f && ring_of(*f))
      return finished(-EBADF); // a ring is not closed through itself (Linux)
    return finished(through_syscall(sys_close, sqe.fd));
  }
  case kOpStatx:
    return finished(through_syscall(sys_statx, sqe.fd, addr, static_cast<long>(sqe.op_flags),
                                    static_cast<long>(sqe.len), off));
  case kOpFsync:
    return finished(
        through_syscall((sqe.op_flags & kFsyncDatasync) ? sys_fdatasync : sys_fsync, sqe.fd));
  default:
    return finished(-EINVAL); // check_sqe let nothing else through
  }
}

// A failed request ends its IO_LINK chain (not an IO_HARDLINK one); so does a short READ
// or WRITE, as on Linux.
bool breaks_chain(const Sqe& sqe, long res) {
  if (sqe.flags & kSqeIoHardlink)
    return false;
  if (res < 0)
    return true;
  return (sqe.opcode == kOpRead || sqe.opcode == kOpWrite) && res < static_cast<long>(sqe.len);
}

void add_in_flight(Ring& r, Request* req) {
  req->next = r.in_flight;
  r.in_flight = req;
}

void cancel_chain(Ring& r, Request* req) {
  while (req) {
    Request* next = req->link;
    post_completion(r, req->sqe.user_data, -ECANCELED, req->sqe.opcode == kOpTimeout);
    destroy(r, req);
    req = next;
  }
}

// The first attempt of a prepared request, once its chain lets it start.
Outcome start(Ring& r, Request& req) {
  if (takes_file(req.sqe.opcode))
    if (Status s = resolve_file(r, req); !s.ok())
      return finished(s.error());
  return attempt(r, req);
}

// Completes req with res, then starts the rest of its chain (or cancels it).
void finish(Ring& r, Request* req, long res) {
  while (req) {
    post_completion(r, req->sqe.user_data, static_cast<int32_t>(res),
                    req->sqe.opcode == kOpTimeout);
    Request* next = req->link;
    bool broken = breaks_chain(req->sqe, res);
    destroy(r, req);
    if (!next)
      return;
    if (broken) {
      cancel_chain(r, next);
      return;
    }
    Outcome o = start(r, *next);
    if (!o.done) {
      add_in_flight(r, next);
      return;
    }
    req = next;
    res = o.res;
  }
}

// POLL_REMOVE / TIMEOUT_REMOVE: the in-flight request of that opcode and user_data ends
// with ECANCELED; the remover gets 0, or ENOENT when there is none.
Outcome cancel_in_flight(Ring& r, uint8_t opcode, uint64_t user_data) {
  for (Request** p = &r.in_flight; *p; p = &(*p)->next) {
    Request* victim = *p;
    if (victim->sqe.opcode != opcode || victim->sqe.user_data != user_data)
      continue;
    *p = victim->next;
    finish(r, victim, -ECANCELED);
    return finished(0);
  }
  return finished(-ENOENT);
}

void run_chain(Ring& r, Request* head) {
  Outcome o = start(r, *head);
  if (o.done)
    finish(r, head, o.res);
  else
    add_in_flight(r, head);
}

void rearm_timeout_timer(Ring& r) {
  uint64_t earliest = sched::kNoDeadline;
  for (Request* req = r.in_flight; req; req = req->next)
    if (req->sqe.opcode == kOpTimeout && req->deadline < earliest)
      earliest = req->deadline;
  if (earliest == sched::kNoDeadline)
    sched::timer_cancel(&r.timeout_timer);
  else
    sched::timer_arm(&r.timeout_timer, earliest);
}

// One pass over the in-flight list: completes the first request that can finish now.
bool complete_one(Ring& r) {
  for (Request** p = &r.in_flight; *p; p = &(*p)->next) {
    Request* req = *p;
    Outcome o = attempt(r, *req);
    if (!o.done)
      continue;
    *p = req->next;
    finish(r, req, o.res);
    return true;
  }
  return false;
}

} // namespace

uint32_t submit(Ring& r, uint32_t count) {
  const RingLayout& l = r.layout;
  uint32_t head = load_word(r, l.sq.head);
  uint32_t n = ring_count(head, load_word(r, l.sq.tail), l.sizes.sq_entries);
  if (count < n)
    n = count;
  uint32_t submitted = 0;
  Request *chain_head = nullptr, *chain_tail = nullptr;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t index = load_word(r, l.sq.array + (head & (l.sizes.sq_entries - 1)) * 4);
    if (index >= l.sizes.sq_entries) { // a bad index: the entry is dropped (Linux)
      store_word(r, l.sq.dropped, load_word(r, l.sq.dropped) + 1);
      store_word(r, l.sq.head, ++head);
      continue;
    }
    auto* req = new_request(r);
    if (!req)
      break; // the SQE stays queued: a later io_uring_enter submits it
    req->sqe = load_sqe(r, index);
    store_word(r, l.sq.head, ++head);
    ++submitted;
    ++r.consumed;
    if (Status s = prepare(r, *req); !s.ok()) {
      cancel_chain(r, chain_head); // the chain it would have joined fails with it
      post_completion(r, req->sqe.user_data, s.error(), req->sqe.opcode == kOpTimeout);
      destroy(r, req);
      chain_head = nullptr;
      break;
    }
    if (chain_tail)
      chain_tail->link = req;
    else
      chain_head = req;
    chain_tail = req;
    if (!(req->sqe.flags & (kSqeIoLink | kSqeIoHardlink))) {
      run_chain(r, chain_head);
      chain_head = chain_tail = nullptr;
    }
  }
  if (chain_head) // a chain still open at the end of the batch runs as it is
    run_chain(r, chain_head);
  rearm_timeout_timer(r);
  return submitted;
}

void progress(Ring& r) {
  if (r.progressing)
    return;
  r.progressing = true;
  while (complete_one(r)) {
  }
  rearm_timeout_timer(r);
  r.progressing = false;
}

void drop_in_flight(Ring& r) {
  while (Request* req = r.in_flight) {
    r.in_flight = req->next;
    while (req) {
      Request* next = req->link;
      destroy(r, req);
      req = next;
    }
  }
  while (Request* req = r.spare) {
    r.spare = req->next;
    delete req;
  }
  r.spare_count = 0;
}

} // namespace unix::uring
