// Dispatch for object files (event_file.h) and the readiness announcements.
#include "unix/event_file.h"

#include "lib/errno.h"
#include "unix/linux_abi.h"
#include "unix/process.h"

namespace unix {

const ObjectOps* object_ops(FileKind kind) {
  switch (kind) {
  case FileKind::kPipeRead: return &kPipeReadOps;
  case FileKind::kPipeWrite: return &kPipeWriteOps;
  case FileKind::kEventfd: return &kEventfdOps;
  case FileKind::kTimerfd: return &kTimerfdOps;
  case FileKind::kSignalfd: return &kSignalfdOps;
  case FileKind::kSocket: return &kSocketOps;
  case FileKind::kEpoll: return &kEpollOps;
  default: return nullptr;
  }
}

void announce(EventGen& gen, uint32_t events) {
  constexpr uint32_t both = kEpollErr | kEpollHup;
  if (events & (kEpollInputBits | both))
    ++gen.in;
  if (events & (kEpollOutputBits | both))
    ++gen.out;
  sched::wake_all(sched::io_events());
}

Readiness file_readiness(File* f) {
  if (const ObjectOps* ops = object_ops(f->kind)) {
    Readiness r = ops->readiness(f);
    // poll()'s RDNORM/WRNORM follow IN/OUT, as on Linux for these files.
    if (r.events & kEpollIn)
      r.events |= kEpollRdNorm;
    if (r.events & kEpollOut)
      r.events |= kEpollWrNorm;
    return r;
  }
  Readiness r;
  r.events = f->kind == FileKind::kConsole
                 ? kEpollOut | kEpollWrNorm
                 : kEpollIn | kEpollRdNorm | kEpollOut | kEpollWrNorm;
  return r;
}

int install_object_file(FileKind kind, void* object, int flags, bool cloexec) {
  File* f = new_file(kind, -1, flags);
  if (!f)
    return -ENOMEM;
  f->object = object;
  int fd = process().files.install(f, cloexec);
  if (fd < 0) {
    f->object = nullptr; // the caller frees the object
    release_file(f);
  }
  return fd;
}

// ---- the hooks file.h declares for sys_file.cc and file.cc ----

void release_object(File* f) {
  epoll_forget_file(f);
  if (const ObjectOps* ops = object_ops(f->kind); ops && f->object)
    ops->release(f);
}

long special_read(File* f, uint8_t* ubuf, size_t len) {
  const ObjectOps* ops = object_ops(f->kind);
  if (!ops)
    return -EINVAL;
  return ops->read ? ops->read(f, ubuf, len) : -EINVAL;
}

long special_write(File* f, const uint8_t* ubuf, size_t len) {
  const ObjectOps* ops = object_ops(f->kind);
  if (!ops)
    return -EINVAL;
  return ops->write ? ops->write(f, ubuf, len) : -EINVAL;
}

uint32_t object_file_mode(const File* f) {
  const ObjectOps* ops = f ? object_ops(f->kind) : nullptr;
  return ops ? ops->mode : 0;
}

} // namespace unix
