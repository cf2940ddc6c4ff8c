// Pipes and eventfd. A read or write that cannot proceed waits (sched::wait) on the
// object's queue; the other side wakes it, and every change is announced to poll/select/
// epoll (event_file.h). With today's single thread a wait nothing can end is reported as a
// deadlock by sched (exit 127) instead of hanging the VM.
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "unix/events/byte_ring.h"
#include "unix/fd/event_file.h"
#include "unix/syscall/linux_abi.h"
#include "unix/process/process.h"
#include "unix/signal/signal.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

constexpr size_t kPipeSize = 64 * 1024; // Linux's default pipe capacity
constexpr size_t kPipeMaxSize = 1024 * 1024; // Linux's default /proc/sys/fs/pipe-max-size
constexpr size_t kPipeAtomic = 4096;    // PIPE_BUF: writes up to this size are not split
constexpr int kSigPipe = 13;

struct Pipe {
  ByteRing ring;
  uint8_t* storage; // the ring's bytes (kmalloc; F_SETPIPE_SZ replaces it)
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

bool nonblocking(const File& f) {
  return f.flags & linux::O_NONBLOCK;
}

ErrorOr<size_t> pipe_read(File& f, UserPtr<uint8_t> ubuf, size_t len, uint64_t*) {
  auto* p = static_cast<Pipe*>(f.object);
  if (len == 0)
    return size_t{0};
  while (p->ring.empty()) {
    if (p->writers == 0)
      return size_t{0}; // end of file
    if (nonblocking(f))
      return Err(-EAGAIN);
    if (int r = sched::wait(p->readq, sched::kNoDeadline, "read from an empty pipe"); r < 0)
      return Err(r);
  }
  size_t done = 0;
  while (done < len) {
    ByteSpan s = p->ring.readable();
    if (s.len == 0)
      break;
    size_t n = s.len < len - done ? s.len : len - done;
    if (!copy_to_user(ubuf.byte_offset(done), s.data, n).ok()) {
      if (!done)
        return Err(-EFAULT);
      break;
    }
    p->ring.consume(n);
    done += n;
  }
  if (done) {
    sched::wake_all(p->writeq);
    announce(p->gen, kEpollOut);
  }
  if (!done)
    return Err(-EFAULT);
  return done;
}

// The write path of pipes; `fill(dst, offset, n)` copies the next n bytes of the source
// (user memory for write(), kernel memory for sendfile) and fails with -EFAULT.
template <typename Fill> ErrorOr<size_t> pipe_write_from(File& f, size_t len, Fill fill) {
  auto* p = static_cast<Pipe*>(f.object);
  size_t done = 0;
  for (;;) {
    if (p->readers == 0) {
      if (done)
        return done;
      raise_process_signal(kSigPipe);
      return Err(-EPIPE);
    }
    if (done == len)
      return done;
    // A small write goes in whole or not at all, so writers never interleave inside it.
    bool whole = len <= kPipeAtomic;
    if (p->ring.space() && (!whole || p->ring.space() >= len)) {
      size_t before = done;
      while (done < len) {
        ByteSpan s = p->ring.writable();
        if (s.len == 0)
          break;
        size_t n = s.len < len - done ? s.len : len - done;
        if (!fill(s.data, done, n)) {
          if (done > before) {
            sched::wake_all(p->readq);
            announce(p->gen, kEpollIn);
          }
          return done ? ErrorOr<size_t>(done) : Err(-EFAULT);
        }
        p->ring.commit(n);
        done += n;
      }
      sched::wake_all(p->readq);
      announce(p->gen, kEpollIn);
      continue;
    }
    if (nonblocking(f))
      return done ? ErrorOr<size_t>(done) : Err(-EAGAIN);
    if (int r = sched::wait(p->writeq, sched::kNoDeadline, "write to a full pipe"); r < 0)
      return done ? ErrorOr<size_t>(done) : Err(r);
  }
}

ErrorOr<size_t> pipe_write(File& f, UserPtr<const uint8_t> ubuf, size_t len, uint64_t*) {
  return pipe_write_from(f, len, [&](void* dst, size_t at, size_t n) {
    return copy_from_user(dst, ubuf.byte_offset(at).as<void>(), n).ok();
  });
}

Readiness pipe_read_readiness(File& f) {
  auto* p = static_cast<Pipe*>(f.object);
  Readiness r{0, p->gen.in, p->gen.out};
  if (!p->ring.empty())
    r.events |= kEpollIn;
  if (p->writers == 0)
    r.events |= kEpollHup;
  return r;
}

Readiness pipe_write_readiness(File& f) {
  auto* p = static_cast<Pipe*>(f.object);
  Readiness r{0, p->gen.in, p->gen.out};
  if (p->readers == 0)
    r.events = kEpollErr;
  else if (p->ring.space())
    r.events = kEpollOut;
  return r;
}

constexpr unsigned long kFionread = 0x541B;

// FIONREAD: bytes waiting to be read.
ErrorOr<long> pipe_ioctl(File& f, unsigned long req, uint64_t arg) {
  if (req != kFionread)
    return Err(-ENOTTY);
  int n = static_cast<int>(static_cast<Pipe*>(f.object)->ring.size());
  TRY(copy_to_user(UserPtr<int>(arg), &n));
  return 0L;
}

// The pipe goes with its last end.
void pipe_end_closed(Pipe* p) {
  announce(p->gen, kEpollHup);
  if (p->readers == 0 && p->writers == 0) {
    kfree(p->storage);
    kfree(p);
  }
}

void pipe_read_end_release(File& f) {
  auto* p = static_cast<Pipe*>(f.object);
  --p->readers;
  sched::wake_all(p->writeq); // blocked writers now get EPIPE
  pipe_end_closed(p);
}

void pipe_write_end_release(File& f) {
  auto* p = static_cast<Pipe*>(f.object);
  --p->writers;
  sched::wake_all(p->readq); // blocked readers now see end of file
  pipe_end_closed(p);
}

ErrorOr<size_t> eventfd_read(File& f, UserPtr<uint8_t> ubuf, size_t len, uint64_t*) {
  auto* e = static_cast<Eventfd*>(f.object);
  if (len < 8)
    return Err(-EINVAL);
  while (e->counter == 0) {
    if (nonblocking(f))
      return Err(-EAGAIN);
    if (int r = sched::wait(e->readq, sched::kNoDeadline, "read from an eventfd at zero"); r < 0)
      return Err(r);
  }
  uint64_t v = e->semaphore ? 1 : e->counter;
  TRY(copy_to_user(ubuf.as<uint64_t>(), &v));
  e->counter -= v;
  sched::wake_all(e->writeq);
  announce(e->gen, kEpollOut);
  return size_t{8};
}

ErrorOr<size_t> eventfd_write(File& f, UserPtr<const uint8_t> ubuf, size_t len, uint64_t*) {
  auto* e = static_cast<Eventfd*>(f.object);
  if (len < 8)
    return Err(-EINVAL);
  uint64_t v = TRY(copy_from_user(ubuf.as<uint64_t>()));
  if (v == ~0ull)
    return Err(-EINVAL);
  while (v > kEventfdMax - e->counter) {
    if (nonblocking(f))
      return Err(-EAGAIN);
    if (int r = sched::wait(e->writeq, sched::kNoDeadline, "write to a full eventfd"); r < 0)
      return Err(r);
  }
  e->counter += v;
  if (v) {
    sched::wake_all(e->readq);
    announce(e->gen, kEpollIn);
  }
  return size_t{8};
}

Readiness eventfd_readiness(File& f) {
  auto* e = static_cast<Eventfd*>(f.object);
  Readiness r{0, e->gen.in, e->gen.out};
  if (e->counter)
    r.events |= kEpollIn;
  if (e->counter < kEventfdMax)
    r.events |= kEpollOut;
  return r;
}

void eventfd_release(File& f) {
  kfree(f.object);
}

constexpr uint32_t kModeFifo = 0010000 | 0600, kModeAnon = 0600;

// Linux: pipes cannot seek; an eventfd (an anonymous inode) answers 0.
const FileOps kPipeReadOps{
    .kind = FileKind::kPipeRead,
    .mode = kModeFifo,
    .read = pipe_read,
    .write = write_not_permitted,
    .ioctl = pipe_ioctl,
    .readiness = pipe_read_readiness,
    .release = pipe_read_end_release,
};
const FileOps kPipeWriteOps{
    .kind = FileKind::kPipeWrite,
    .mode = kModeFifo,
    .read = read_not_permitted,
    .write = pipe_write,
    .ioctl = pipe_ioctl,
    .readiness = pipe_write_readiness,
    .release = pipe_write_end_release,
};
const FileOps kEventfdOps{
    .kind = FileKind::kEventfd,
    .mode = kModeAnon,
    .read = eventfd_read,
    .write = eventfd_write,
    .seek = seek_nowhere,
    .readiness = eventfd_readiness,
    .release = eventfd_release,
};

SyscallResult make_pipe(UserPtr<int> ufds, int flags) {
  if (flags & ~(linux::O_CLOEXEC | linux::O_NONBLOCK))
    return Err(-EINVAL);
  auto* p = static_cast<Pipe*>(kzalloc(sizeof(Pipe)));
  if (!p)
    return Err(-ENOMEM);
  p->storage = static_cast<uint8_t*>(kmalloc(kPipeSize));
  if (!p->storage) {
    kfree(p);
    return Err(-ENOMEM);
  }
  p->ring.init(p->storage, kPipeSize);
  p->readers = p->writers = 1;
  bool cloexec = flags & linux::O_CLOEXEC;
  int nb = flags & linux::O_NONBLOCK;
  int fds[2];
  fds[0] = install_object_file(kPipeReadOps, p, linux::O_RDONLY | nb, cloexec);
  if (fds[0] < 0) {
    kfree(p->storage);
    kfree(p);
    return Err(fds[0]);
  }
  fds[1] = install_object_file(kPipeWriteOps, p, linux::O_WRONLY | nb, cloexec);
  if (fds[1] < 0) {
    p->writers = 0;
    process().files.close(fds[0]); // frees p
    return Err(fds[1]);
  }
  if (!copy_to_user(ufds, fds, 2).ok()) {
    process().files.close(fds[0]);
    process().files.close(fds[1]);
    return Err(-EFAULT);
  }
  return 0L;
}

} // namespace

ErrorOr<size_t> pipe_write_kernel(File& f, const uint8_t* src, size_t len) {
  return pipe_write_from(f, len, [&](void* dst, size_t at, size_t n) {
    memcpy(dst, src + at, n);
    return true;
  });
}

bool eventfd_signal(File& f, uint64_t n) {
  if (f.kind != FileKind::kEventfd)
    return false;
  auto* e = static_cast<Eventfd*>(f.object);
  e->counter = n > kEventfdMax - e->counter ? kEventfdMax : e->counter + n;
  sched::wake_all(e->readq);
  announce(e->gen, kEpollIn);
  return true;
}

bool is_pipe(const File& f) {
  return f.kind == FileKind::kPipeRead || f.kind == FileKind::kPipeWrite;
}

long pipe_capacity(const File& f) {
  return static_cast<long>(static_cast<Pipe*>(f.object)->ring.capacity());
}

// Linux rounds the size up to a power-of-two number of pages (at least one page) and
// refuses to drop bytes already in the pipe.
ErrorOr<long> set_pipe_capacity(File& f, uint64_t requested) {
  auto* p = static_cast<Pipe*>(f.object);
  if (requested > kPipeMaxSize)
    return Err(-EPERM);
  size_t size = 4096;
  while (size < requested)
    size *= 2;
  if (size == p->ring.capacity())
    return static_cast<long>(size);
  if (p->ring.size() > size)
    return Err(-EBUSY);
  auto* storage = static_cast<uint8_t*>(kmalloc(size));
  if (!storage)
    return Err(-ENOMEM);
  size_t kept = p->ring.peek(0, storage, p->ring.size());
  kfree(p->storage);
  p->storage = storage;
  p->ring.init(storage, size);
  p->ring.commit(kept);
  sched::wake_all(p->writeq); // there may be room now
  announce(p->gen, kEpollOut);
  return static_cast<long>(size);
}

SyscallResult sys_pipe(const SyscallArgs& a) {
  return make_pipe(a.user<int>(0), 0);
}

SyscallResult sys_pipe2(const SyscallArgs& a) {
  return make_pipe(a.user<int>(0), a.i(1));
}

SyscallResult sys_eventfd2(const SyscallArgs& a) {
  constexpr int kSemaphore = 1;
  int flags = a.i(1);
  if (flags & ~(linux::O_CLOEXEC | linux::O_NONBLOCK | kSemaphore))
    return Err(-EINVAL);
  auto* e = static_cast<Eventfd*>(kzalloc(sizeof(Eventfd)));
  if (!e)
    return Err(-ENOMEM);
  e->counter = static_cast<uint32_t>(a.u(0));
  e->semaphore = flags & kSemaphore;
  int fd = install_object_file(kEventfdOps, e, linux::O_RDWR | (flags & linux::O_NONBLOCK),
                               flags & linux::O_CLOEXEC);
  if (fd < 0) {
    kfree(e);
    return Err(fd);
  }
  return fd;
}

SyscallResult sys_eventfd(const SyscallArgs& a) {
  SyscallArgs b{{a.a[0], 0, 0, 0, 0, 0}};
  return sys_eventfd2(b);
}

} // namespace unix
