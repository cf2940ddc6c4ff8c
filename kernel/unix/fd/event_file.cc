// Object files (event_file.h) and the readiness announcements.
#include "unix/fd/event_file.h"

#include "lib/errno.h"
#include "mm/heap.h"
#include "unix/process/process.h"

namespace unix {

void announce(EventGen& gen, uint32_t events) {
  constexpr uint32_t both = kEpollErr | kEpollHup;
  if (events & (kEpollInputBits | both))
    ++gen.in;
  if (events & (kEpollOutputBits | both))
    ++gen.out;
  sched::wake_all(sched::io_events());
}

int install_object_file(const FileOps& ops, void* object, int flags, bool cloexec) {
  File* f = new_file(ops, -1, flags);
  if (!f)
    return -ENOMEM;
  f->object = object;
  int fd = process().files.install(f, cloexec);
  if (fd < 0)
    kfree(f); // never shared, in no interest list; the caller frees the object
  return fd;
}

} // namespace unix
