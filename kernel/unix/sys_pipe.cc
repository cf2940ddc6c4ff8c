// Pipes, eventfd and poll inside the one process. There is one thread, so an operation that
// would block with nobody left to unblock it is a deadlock: the kernel says so and exits
// 127 (what a hung process would never tell you), instead of hanging the VM.
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "unix/exit.h"
#include "unix/linux_abi.h"
#include "unix/process.h"
#include "unix/signal.h"
#include "unix/syscall.h"

namespace unix {
namespace {

constexpr size_t kPipeSize = 64 * 1024; // Linux's default pipe capacity

struct Pipe {
  uint8_t* buf;
  size_t head, count;
  int readers, writers;
};

struct Eventfd {
  uint64_t counter;
  bool semaphore;
};

constexpr short kPollIn = 1, kPollOut = 4, kPollErr = 8, kPollHup = 16, kPollNval = 32;

[[noreturn]] void deadlock(const char* what) {
  kprintf("%s: the program's only thread would wait forever; stopping\n", what);
  exit_program(kExitDeadlock);
}

long pipe_read(File* f, uint8_t* ubuf, size_t len) {
  auto* p = static_cast<Pipe*>(f->object);
  if (len == 0)
    return 0;
  if (p->count == 0) {
    if (p->writers == 0)
      return 0; // end of file
    if (f->flags & linux::O_NONBLOCK)
      return -EAGAIN;
    deadlock("read from an empty pipe");
  }
  size_t done = 0;
  while (done < len && p->count) {
    size_t run = kPipeSize - p->head;
    size_t n = p->count < run ? p->count : run;
    if (n > len - done)
      n = len - done;
    if (copy_to_user(ubuf + done, p->buf + p->head, n) < 0)
      return done ? static_cast<long>(done) : -EFAULT;
    p->head = (p->head + n) % kPipeSize;
    p->count -= n;
    done += n;
  }
  return static_cast<long>(done);
}

long pipe_write(File* f, const uint8_t* ubuf, size_t len) {
  auto* p = static_cast<Pipe*>(f->object);
  if (p->readers == 0) {
    raise_process_signal(13); // SIGPIPE
    return -EPIPE;
  }
  if (len == 0)
    return 0;
  if (p->count == kPipeSize) {
    if (f->flags & linux::O_NONBLOCK)
      return -EAGAIN;
    deadlock("write to a full pipe");
  }
  size_t done = 0;
  while (done < len && p->count < kPipeSize) {
    size_t tail = (p->head + p->count) % kPipeSize;
    size_t run = tail >= p->head ? kPipeSize - tail : p->head - tail;
    size_t n = len - done < run ? len - done : run;
    if (copy_from_user(p->buf + tail, ubuf + done, n) < 0)
      return done ? static_cast<long>(done) : -EFAULT;
    p->count += n;
    done += n;
  }
  return static_cast<long>(done);
}

long eventfd_read(File* f, uint8_t* ubuf, size_t len) {
  auto* e = static_cast<Eventfd*>(f->object);
  if (len < 8)
    return -EINVAL;
  if (e->counter == 0) {
    if (f->flags & linux::O_NONBLOCK)
      return -EAGAIN;
    deadlock("read from an eventfd at zero");
  }
  uint64_t v = e->semaphore ? 1 : e->counter;
  if (copy_to_user(ubuf, &v, 8) < 0)
    return -EFAULT;
  e->counter -= v;
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
  if (v > 0xFFFFFFFFFFFFFFFEull - e->counter) {
    if (f->flags & linux::O_NONBLOCK)
      return -EAGAIN;
    deadlock("write to a full eventfd");
  }
  e->counter += v;
  return 8;
}

short poll_events(int fd) {
  File* f = process().files.get(fd);
  if (!f)
    return kPollNval;
  switch (f->kind) {
  case FileKind::kPipeRead: {
    auto* p = static_cast<Pipe*>(f->object);
    return static_cast<short>((p->count ? kPollIn : 0) | (p->writers ? 0 : kPollHup));
  }
  case FileKind::kPipeWrite: {
    auto* p = static_cast<Pipe*>(f->object);
    return static_cast<short>(p->readers ? (p->count < kPipeSize ? kPollOut : 0) : kPollErr);
  }
  case FileKind::kEventfd: {
    auto* e = static_cast<Eventfd*>(f->object);
    return static_cast<short>((e->counter ? kPollIn : 0) |
                              (e->counter < 0xFFFFFFFFFFFFFFFEull ? kPollOut : 0));
  }
  case FileKind::kConsole:
    return kPollOut; // no console input ever arrives
  default:
    return kPollIn | kPollOut;
  }
}

struct PollFd {
  int32_t fd;
  int16_t events, revents;
};

// timeout_ns < 0: no timeout.
long do_poll(PollFd* ufds, uint64_t nfds, int64_t timeout_ns) {
  if (nfds > static_cast<uint64_t>(kMaxFds))
    return -EINVAL;
  long ready = 0;
  for (uint64_t i = 0; i < nfds; ++i) {
    PollFd p;
    if (copy_from_user(&p, ufds + i, sizeof p) < 0)
      return -EFAULT;
    p.revents = 0;
    if (p.fd >= 0) {
      short ev = poll_events(p.fd);
      p.revents = static_cast<int16_t>(ev & (p.events | kPollErr | kPollHup | kPollNval));
    }
    if (p.revents)
      ++ready;
    if (copy_to_user(&ufds[i].revents, &p.revents, sizeof p.revents) < 0)
      return -EFAULT;
  }
  if (ready)
    return ready;
  if (timeout_ns < 0)
    deadlock("poll with nothing ready and no timeout");
  ktime::delay_ns(static_cast<uint64_t>(timeout_ns)); // nothing can change meanwhile
  return 0;
}

long sys_poll(const SyscallArgs& a) {
  int timeout_ms = a.i(2);
  return do_poll(a.p<PollFd>(0), a.u(1), timeout_ms < 0 ? -1 : int64_t(timeout_ms) * 1000000);
}
long sys_ppoll(const SyscallArgs& a) {
  int64_t timeout = -1;
  if (a.a[2]) {
    linux::timespec ts;
    if (copy_from_user(&ts, a.p<const void>(2), sizeof ts) < 0)
      return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
      return -EINVAL;
    timeout = ts.tv_sec * 1000000000 + ts.tv_nsec;
  }
  return do_poll(a.p<PollFd>(0), a.u(1), timeout);
}

long make_pipe(int* ufds, int flags) {
  if (flags & ~(linux::O_CLOEXEC | linux::O_NONBLOCK))
    return -EINVAL;
  auto* p = static_cast<Pipe*>(kzalloc(sizeof(Pipe)));
  uint8_t* buf = static_cast<uint8_t*>(kmalloc(kPipeSize));
  File* r = new_file(FileKind::kPipeRead, -1, linux::O_RDONLY | (flags & linux::O_NONBLOCK));
  File* w = new_file(FileKind::kPipeWrite, -1, linux::O_WRONLY | (flags & linux::O_NONBLOCK));
  if (!p || !buf || !r || !w) {
    kfree(p);
    kfree(buf);
    kfree(r);
    kfree(w);
    return -ENOMEM;
  }
  p->buf = buf;
  p->readers = p->writers = 1;
  r->object = w->object = p;
  FdTable& t = process().files;
  bool cloexec = flags & linux::O_CLOEXEC;
  int fds[2] = {t.install(r, cloexec), -1};
  if (fds[0] >= 0)
    fds[1] = t.install(w, cloexec);
  if (fds[1] < 0) {
    if (fds[0] >= 0)
      t.close(fds[0]);
    else
      release_file(r);
    release_file(w);
    return -EMFILE;
  }
  if (copy_to_user(ufds, fds, sizeof fds) < 0) {
    t.close(fds[0]);
    t.close(fds[1]);
    return -EFAULT;
  }
  return 0;
}
long sys_pipe(const SyscallArgs& a) {
  return make_pipe(a.p<int>(0), 0);
}
long sys_pipe2(const SyscallArgs& a) {
  return make_pipe(a.p<int>(0), a.i(1));
}

long sys_eventfd2(const SyscallArgs& a) {
  constexpr int kSemaphore = 1;
  int flags = a.i(1);
  if (flags & ~(linux::O_CLOEXEC | linux::O_NONBLOCK | kSemaphore))
    return -EINVAL;
  auto* e = static_cast<Eventfd*>(kzalloc(sizeof(Eventfd)));
  File* f = new_file(FileKind::kEventfd, -1, linux::O_RDWR | (flags & linux::O_NONBLOCK));
  if (!e || !f) {
    kfree(e);
    kfree(f);
    return -ENOMEM;
  }
  e->counter = static_cast<uint32_t>(a.u(0));
  e->semaphore = flags & kSemaphore;
  f->object = e;
  int fd = process().files.install(f, flags & linux::O_CLOEXEC);
  if (fd < 0)
    release_file(f);
  return fd;
}
long sys_eventfd(const SyscallArgs& a) {
  SyscallArgs b{{a.a[0], 0, 0, 0, 0, 0}};
  return sys_eventfd2(b);
}

} // namespace

void release_object(File* f) {
  if (f->kind == FileKind::kPipeRead || f->kind == FileKind::kPipeWrite) {
    auto* p = static_cast<Pipe*>(f->object);
    if (f->kind == FileKind::kPipeRead)
      --p->readers;
    else
      --p->writers;
    if (p->readers == 0 && p->writers == 0) {
      kfree(p->buf);
      kfree(p);
    }
  } else if (f->kind == FileKind::kEventfd) {
    kfree(f->object);
  }
}

// Read/write on the special kinds, called from sys_file.cc's read_at/write_to.
long special_read(File* f, uint8_t* ubuf, size_t len) {
  return f->kind == FileKind::kEventfd ? eventfd_read(f, ubuf, len) : pipe_read(f, ubuf, len);
}
long special_write(File* f, const uint8_t* ubuf, size_t len) {
  return f->kind == FileKind::kEventfd ? eventfd_write(f, ubuf, len) : pipe_write(f, ubuf, len);
}

void register_pipe_syscalls() {
  register_syscall(7, "poll", 3, sys_poll);
  register_syscall(22, "pipe", 1, sys_pipe);
  register_syscall(271, "ppoll", 5, sys_ppoll);
  register_syscall(284, "eventfd", 1, sys_eventfd);
  register_syscall(290, "eventfd2", 2, sys_eventfd2);
  register_syscall(293, "pipe2", 2, sys_pipe2);
}

} // namespace unix
