// Pipes and eventfd. A read or write that cannot proceed waits (sched::wait) on the
// object's queue; the other side wakes it, and every change is announced to poll/select/
// epoll (event_file.h). With today's single thread a wait nothing can end is reported as a
// deadlock by sched (exit 127) instead of hanging the VM.
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "mm/heap.h"
#include "unix/byte_ring.h"
#include "unix/event_file.h"
#include "unix/linux_abi.h"
#include "unix/process.h"
#include "unix/signal.h"
#include "unix/syscall_handlers.h"

namespace unix {
namespace {

constexpr size_t kPipeSize = 64 * 1024; // Linux's default pipe capacity
constexpr size_t kPipeAtomic = 4096;    // PIPE_BUF: writes up to this size are not split
constexpr int kSigPipe = 13;

struct Pipe {
  ByteRing ring;
  int readers, writers;
  sched::WaitQueue readq, writeq; // readers wait for data, writers for room
  EventGen gen;
};

struct Eventfd {
  uint64_t counter;
  bool semaphore;
  sched::WaitQueue readq, writeq;
  EventGen gen;
};
constexpr uint64_t kEventfdMax = 0xFFFFFFFFFFFFFFFEull;

bool nonblocking(const File* f) {
  return f->flags & linux::O_NONBLOCK;
}

long pipe_read(File* f, uint8_t* ubuf, size_t len) {
  auto* p = static_cast<Pipe*>(f->object);
  if (len == 0)
    return 0;
  while (p->ring.empty()) {
    if (p->writers == 0)
      return 0; // end of file
    if (nonblocking(f))
      return -EAGAIN;
    if (int r = sched::wait(p->readq, sched::kNoDeadline, "read from an empty pipe"); r < 0)
      return r;
  }
  size_t done = 0;
  while (done < len) {
    ByteSpan s = p->ring.readable();
    if (s.len == 0)
      break;
    size_t n = s.len < len - done ? s.len : len - done;
    if (copy_to_user(ubuf + done, s.data, n) < 0) {
      if (!done)
        return -EFAULT;
      break;
    }
    p->ring.consume(n);
    done += n;
  }
  if (done) {
    sched::wake_all(p->writeq);
    announce(p->gen, kEpollOut);
  }
  return done ? static_cast<long>(done) : -EFAULT;
}

long pipe_write(File* f, const uint8_t* ubuf, size_t len) {
  auto* p = static_cast<Pipe*>(f->object);
  size_t done = 0;
  for (;;) {
    if (p->readers == 0) {
      if (done)
        return static_cast<long>(done);
      raise_process_signal(kSigPipe);
      return -EPIPE;
    }
    if (done == len)
      return static_cast<long>(done);
    // A small write goes in whole or not at all, so writers never interleave inside it.
    bool whole = len <= kPipeAtomic;
    if (p->ring.space() && (!whole || p->ring.space() >= len)) {
      size_t before = done;
      while (done < len) {
        ByteSpan s = p->ring.writable();
        if (s.len == 0)
          break;
        size_t n = s.len < len - done ? s.len : len - done;
        if (copy_from_user(s.data, ubuf + done, n) < 0) {
          if (done > before) {
            sched::wake_all(p->readq);
            announce(p->gen, kEpollIn);
          }
          return done ? static_cast<long>(done) : -EFAULT;
        }
        p->ring.commit(n);
        done += n;
      }
      sched::wake_all(p->readq);
      announce(p->gen, kEpollIn);
      continue;
    }
    if (nonblocking(f))
      return done ? static_cast<long>(done) : -EAGAIN;
    if (int r = sched::wait(p->writeq, sched::kNoDeadline, "write to a full pipe"); r < 0)
      return done ? static_cast<long>(done) : r;
  }
}

long pipe_write_end_read(File*, uint8_t*, size_t) {
  return -EBADF;
}

Readiness pipe_read_readiness(File* f) {
  auto* p = static_cast<Pipe*>(f->object);
  Readiness r{0, p->gen.in, p->gen.out};
  if (!p->ring.empty())
    r.events |= kEpollIn;
  if (p->writers == 0)
    r.events |= kEpollHup;
  return r;
}

Readiness pipe_write_readiness(File* f) {
  auto* p = static_cast<Pipe*>(f->object);
  Readiness r{0, p->gen.in, p->gen.out};
  if (p->readers == 0)
    r.events = kEpollErr;
  else if (p->ring.space())
    r.events = kEpollOut;
  return r;
}

constexpr unsigned long kFionread = 0x541B;

// FIONREAD: bytes waiting to be read.
long pipe_ioctl(File* f, unsigned long req, uint64_t arg) {
  if (req != kFionread)
    return -ENOTTY;
  int n = static_cast<int>(static_cast<Pipe*>(f->object)->ring.size());
  return copy_to_user(reinterpret_cast<void*>(arg), &n, sizeof n) < 0 ? -EFAULT : 0;
}

void pipe_release(File* f) {
  auto* p = static_cast<Pipe*>(f->object);
  if (f->kind == FileKind::kPipeRead) {
    --p->readers;
    sched::wake_all(p->writeq); // blocked writers now get EPIPE
  } else {
    --p->writers;
    sched::wake_all(p->readq); // blocked readers now see end of file
  }
  announce(p->gen, kEpollHup);
  if (p->readers == 0 && p->writers == 0) {
    kfree(p);
  }
}

long eventfd_read(File* f, uint8_t* ubuf, size_t len) {
  auto* e = static_cast<Eventfd*>(f->object);
  if (len < 8)
    return -EINVAL;
  while (e->counter == 0) {
    if (nonblocking(f))
      return -EAGAIN;
    if (int r = sched::wait(e->readq, sched::kNoDeadline, "read from an eventfd at zero"); r < 0)
      return r;
  }
  uint64_t v = e->semaphore ? 1 : e->counter;
  if (copy_to_user(ubuf, &v, 8) < 0)
    return -EFAULT;
  e->counter -= v;
  sched::wake_all(e->writeq);
  announce(e->gen, kEpollOut);
  return 8;
}

long eventfd_write(File* f, const uint8_t* ubuf, size_t len) {
  auto* e = static_cast<Eventfd*>(f->object);
  uint64_t v;
  if (len < 8)
    return -EINVAL;
  if (copy_from_user(&v, ubuf, 8) < 0)
    return -EFAULT;
  if (v == ~0ull)
    return -EINVAL;
  while (v > kEventfdMax - e->counter) {
    if (nonblocking(f))
      return -EAGAIN;
    if (int r = sched::wait(e->writeq, sched::kNoDeadline, "write to a full eventfd"); r < 0)
      return r;
  }
  e->counter += v;
  if (v) {
    sched::wake_all(e->readq);
    announce(e->gen, kEpollIn);
  }
  return 8;
}

Readiness eventfd_readiness(File* f) {
  auto* e = static_cast<Eventfd*>(f->object);
  Readiness r{0, e->gen.in, e->gen.out};
  if (e->counter)
    r.events |= kEpollIn;
  if (e->counter < kEventfdMax)
    r.events |= kEpollOut;
  return r;
}

void eventfd_release(File* f) {
  kfree(f->object);
}

long make_pipe(int* ufds, int flags) {
  if (flags & ~(linux::O_CLOEXEC | linux::O_NONBLOCK))
    return -EINVAL;
  // The ring's storage follows the Pipe in the same allocation.
  auto* p = static_cast<Pipe*>(kzalloc(sizeof(Pipe) + kPipeSize));
  if (!p)
    return -ENOMEM;
  p->ring.init(reinterpret_cast<uint8_t*>(p + 1), kPipeSize);
  p->readers = p->writers = 1;
  bool cloexec = flags & linux::O_CLOEXEC;
  int nb = flags & linux::O_NONBLOCK;
  int fds[2];
  fds[0] = install_object_file(FileKind::kPipeRead, p, linux::O_RDONLY | nb, cloexec);
  if (fds[0] < 0) {
    kfree(p);
    return fds[0];
  }
  fds[1] = install_object_file(FileKind::kPipeWrite, p, linux::O_WRONLY | nb, cloexec);
  if (fds[1] < 0) {
    p->writers = 0;
    process().files.close(fds[0]); // frees p
    return fds[1];
  }
  if (copy_to_user(ufds, fds, sizeof fds) < 0) {
    process().files.close(fds[0]);
    process().files.close(fds[1]);
    return -EFAULT;
  }
  return 0;
}
} // namespace

SyscallResult sys_pipe(const SyscallArgs& a) {
  return make_pipe(a.p<int>(0), 0);
}

SyscallResult sys_pipe2(const SyscallArgs& a) {
  return make_pipe(a.p<int>(0), a.i(1));
}

SyscallResult sys_eventfd2(const SyscallArgs& a) {
  constexpr int kSemaphore = 1;
  int flags = a.i(1);
  if (flags & ~(linux::O_CLOEXEC | linux::O_NONBLOCK | kSemaphore))
    return -EINVAL;
  auto* e = static_cast<Eventfd*>(kzalloc(sizeof(Eventfd)));
  if (!e)
    return -ENOMEM;
  e->counter = static_cast<uint32_t>(a.u(0));
  e->semaphore = flags & kSemaphore;
  int fd = install_object_file(FileKind::kEventfd, e, linux::O_RDWR | (flags & linux::O_NONBLOCK),
                               flags & linux::O_CLOEXEC);
  if (fd < 0)
    kfree(e);
  return fd;
}

SyscallResult sys_eventfd(const SyscallArgs& a) {
  SyscallArgs b{{a.a[0], 0, 0, 0, 0, 0}};
  return sys_eventfd2(b);
}

constexpr uint32_t kModeFifo = 0010000 | 0600, kModeAnon = 0600;
const ObjectOps kPipeReadOps{pipe_read, nullptr, pipe_read_readiness, pipe_release, kModeFifo,
                             pipe_ioctl};
const ObjectOps kPipeWriteOps{pipe_write_end_read, pipe_write, pipe_write_readiness, pipe_release,
                              kModeFifo, pipe_ioctl};
const ObjectOps kEventfdOps{eventfd_read, eventfd_write, eventfd_readiness, eventfd_release,
                            kModeAnon};

} // namespace unix
