// epoll: an interest list per instance (epoll_interest.h) over any open file's readiness
// (event_file.h). epoll_wait collects due events and otherwise waits on sched::io_events()
// like poll. Interests hold no reference: when a file's last descriptor closes, it leaves
// every list (epoll_forget_file). Nested epoll files are ready when their own list has a
// due event.
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/new.h"
#include "unix/fd/event_file.h"
#include "unix/syscall/linux_abi.h"
#include "unix/process/process.h"
#include "unix/signal/signal_state.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

struct Epoll {
  InterestList list;
  Epoll* next_instance = nullptr; // all instances, for epoll_forget_file
};
Epoll* g_instances = nullptr;

constexpr int kMaxNesting = 4; // epoll inside epoll, at most this deep (as Linux)

// struct epoll_event is packed on x86-64: 12 bytes.
struct [[gnu::packed]] UserEvent {
  uint32_t events;
  uint64_t data;
};
static_assert(sizeof(UserEvent) == 12);

Readiness readiness_of(void* file, void*) {
  return file_readiness(*static_cast<File*>(file));
}

Epoll* epoll_of(File* f) {
  return f && f->kind == FileKind::kEpoll ? static_cast<Epoll*>(f->object) : nullptr;
}

Readiness epoll_readiness(File& f) {
  Epoll* ep = static_cast<Epoll*>(f.object);
  Readiness r;
  // Any change below counts as a change of this file, for an EPOLLET watcher of it.
  for (Interest* e = ep->list.first(); e; e = e->next) {
    Readiness inner = file_readiness(*static_cast<File*>(e->file));
    r.in_gen += inner.in_gen + inner.out_gen;
  }
  if (ep->list.any_due(readiness_of, nullptr))
    r.events = kEpollIn;
  return r;
}

void epoll_release(File& f) {
  Epoll* ep = static_cast<Epoll*>(f.object);
  for (Epoll** p = &g_instances; *p; p = &(*p)->next_instance) {
    if (*p == ep) {
      *p = ep->next_instance;
      break;
    }
  }
  ep->list.clear();
  delete ep;
}

// Neither read nor written (-EINVAL); an anonymous inode: lseek answers 0.
const FileOps kEpollOps{
    .kind = FileKind::kEpoll,
    .mode = 0600,
    .seek = seek_nowhere,
    .readiness = epoll_readiness,
    .release = epoll_release,
};

// Does `outer` reach `target` through nested epoll files?
bool reaches(const Epoll* outer, const Epoll* target, int depth) {
  if (outer == target)
    return true;
  if (depth > kMaxNesting)
    return true; // deeper than allowed: treat as a loop
  for (Interest* e = outer->list.first(); e; e = e->next)
    if (Epoll* inner = epoll_of(static_cast<File*>(e->file)); inner && reaches(inner, target, depth + 1))
      return true;
  return false;
}

// Longest chain of epoll files below ep (0: none nested).
int nesting_below(const Epoll* ep, int depth) {
  int most = 0;
  if (depth > kMaxNesting)
    return depth;
  for (Interest* e = ep->list.first(); e; e = e->next)
    if (Epoll* inner = epoll_of(static_cast<File*>(e->file))) {
      int d = 1 + nesting_below(inner, depth + 1);
      most = d > most ? d : most;
    }
  return most;
}

SyscallResult create_epoll(int flags) {
  if (flags & ~linux::O_CLOEXEC)
    return Err(-EINVAL);
  auto* ep = new (std::nothrow) Epoll;
  if (!ep)
    return Err(-ENOMEM);
  int fd = install_object_file(kEpollOps, ep, linux::O_RDWR, flags & linux::O_CLOEXEC);
  if (fd < 0) {
    delete ep;
    return Err(fd);
  }
  ep->next_instance = g_instances;
  g_instances = ep;
  return fd;
}

} // namespace

SyscallResult sys_epoll_create(const SyscallArgs& a) {
  if (a.i(0) <= 0)
    return Err(-EINVAL);
  return create_epoll(0);
}

SyscallResult sys_epoll_create1(const SyscallArgs& a) {
  return create_epoll(a.i(0));
}

namespace {

constexpr int kCtlAdd = 1, kCtlDel = 2, kCtlMod = 3;
// EPOLLEXCLUSIVE may only come with these (Linux's rule).
constexpr uint32_t kExclusiveOk = kEpollIn | kEpollOut | kEpollErr | kEpollHup | kEpollWakeup |
                                  kEpollEt | kEpollExclusive;

// The change of one interest (the list's 0 or -errno).
int change_interest(Epoll* ep, int op, File* tf, int fd, const UserEvent& ev) {
  switch (op) {
  case kCtlAdd:
    if (Epoll* inner = epoll_of(tf);
        inner && (reaches(inner, ep, 0) || nesting_below(inner, 0) + 1 > kMaxNesting))
      return -ELOOP;
    return ep->list.add(tf, fd, ev.events, ev.data);
  case kCtlMod: {
    Interest* e = ep->list.find(tf, fd);
    if (e && (e->events & kEpollExclusive))
      return -EINVAL;
    return ep->list.modify(tf, fd, ev.events, ev.data);
  }
  case kCtlDel:
    return ep->list.remove(tf, fd);
  default:
    return -EINVAL;
  }
}

// Files whose Linux counterparts have no poll operation (regular files, directories,
// /dev/null and /dev/zero, /proc files): epoll refuses them with EPERM, although poll and
// select report them always ready.
bool can_poll(const File& f) {
  switch (f.kind) {
  case FileKind::kRegular:
  case FileKind::kDirectory:
  case FileKind::kNull:
  case FileKind::kZero:
  case FileKind::kSnapshot:
  case FileKind::kMemfd:
    return false;
  default:
    return true;
  }
}

} // namespace

SyscallResult sys_epoll_ctl(const SyscallArgs& a) {
  int op = a.i(1), fd = a.i(2);
  File* ef = process().files.get(a.i(0));
  File* tf = process().files.get(fd);
  if (!ef || !tf)
    return Err(-EBADF);
  if (!can_poll(*tf))
    return Err(-EPERM);
  Epoll* ep = epoll_of(ef);
  if (!ep || tf == ef)
    return Err(-EINVAL);
  UserEvent ev{0, 0};
  if (op != kCtlDel)
    ev = TRY(copy_from_user(a.user<UserEvent>(3)));
  if ((ev.events & kEpollExclusive) && (op == kCtlMod || (ev.events & ~kExclusiveOk) || epoll_of(tf)))
    return Err(-EINVAL);
  if (int r = change_interest(ep, op, tf, fd, ev); r < 0)
    return Err(r);
  sched::wake_all(sched::io_events()); // a waiter of this instance may have an event now
  return 0L;
}

namespace {

// Collects events into the user array, waiting up to the deadline.
SyscallResult do_epoll_wait(int epfd, UserPtr<UserEvent> uevents, int maxevents,
                            uint64_t deadline) {
  File* ef = TRY(file_for(epfd));
  Epoll* ep = epoll_of(ef);
  if (!ep || maxevents <= 0 || maxevents > 0x7FFFFFFF / static_cast<int>(sizeof(UserEvent)))
    return Err(-EINVAL);
  if (!user_range_ok(uevents.address(), static_cast<size_t>(maxevents) * sizeof(UserEvent)))
    return Err(-EFAULT);
  FileRef hold(ef); // the instance outlives a close() from another thread during the wait
  constexpr int kChunk = 32;
  EpollEvent got[kChunk];
  for (;;) {
    int total = 0;
    while (total < maxevents) {
      int want = maxevents - total < kChunk ? maxevents - total : kChunk;
      int n = ep->list.collect(readiness_of, nullptr, got, want);
      for (int i = 0; i < n; ++i) {
        UserEvent u{got[i].events, got[i].data};
        if (!copy_to_user(uevents.offset(static_cast<size_t>(total + i)), &u).ok()) {
          if (total + i)
            return total + i;
          return Err(-EFAULT);
        }
      }
      total += n;
      if (n < want)
        break;
    }
    if (total)
      return total;
    if (deadline != sched::kNoDeadline && ktime::monotonic_ns() >= deadline)
      return 0L;
    int r = sched::wait(sched::io_events(), deadline, "epoll_wait with nothing ready and no timeout");
    if (r == -EINTR)
      return Err(-EINTR);
  }
}

uint64_t deadline_ms(int timeout_ms) {
  return timeout_ms < 0 ? sched::kNoDeadline
                        : ktime::monotonic_ns() + static_cast<uint64_t>(timeout_ms) * 1000000;
}

SyscallResult with_mask(const SyscallArgs& a, uint64_t deadline) {
  if (!a.u(4))
    return do_epoll_wait(a.i(0), a.user<UserEvent>(1), a.i(2), deadline);
  uint64_t saved = TRY(begin_temporary_mask(a.user<uint64_t>(4), a.u(5)));
  long r = syscall_raw_result(do_epoll_wait(a.i(0), a.user<UserEvent>(1), a.i(2), deadline));
  r = end_temporary_mask(r, saved);
  if (r < 0)
    return Err(static_cast<int>(r));
  return r;
}

} // namespace

SyscallResult sys_epoll_wait(const SyscallArgs& a) {
  return do_epoll_wait(a.i(0), a.user<UserEvent>(1), a.i(2), deadline_ms(a.i(3)));
}

SyscallResult sys_epoll_pwait(const SyscallArgs& a) {
  return with_mask(a, deadline_ms(a.i(3)));
}

SyscallResult sys_epoll_pwait2(const SyscallArgs& a) {
  uint64_t deadline = sched::kNoDeadline;
  if (a.u(3)) {
    linux::timespec ts = TRY(copy_from_user(a.user<linux::timespec>(3)));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
      return Err(-EINVAL);
    deadline = ktime::monotonic_ns() + static_cast<uint64_t>(ts.tv_sec) * 1000000000 +
               static_cast<uint64_t>(ts.tv_nsec);
  }
  return with_mask(a, deadline);
}

void epoll_forget_file(File* f) {
  for (Epoll* ep = g_instances; ep; ep = ep->next_instance)
    ep->list.remove_file(f);
  forget_exclusive_claims(f);
}

} // namespace unix
