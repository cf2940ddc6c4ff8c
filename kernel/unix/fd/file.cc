#include "unix/fd/file.h"

#include "lib/string.h"
#include "mm/heap.h"
#include "unix/fd/event_file.h"
#include "unix/fd/file_ops.h"
#include "unix/process/process.h"

namespace unix {

File* new_file(const FileOps& ops, NodeId node, int flags) {
  auto* f = static_cast<File*>(kzalloc(sizeof(File)));
  if (f) {
    f->ops = &ops;
    f->kind = ops.kind;
    f->refs = 1;
    f->flags = flags;
    f->node = node;
  }
  return f;
}

ErrorOr<File*> file_for(int fd) {
  File* f = process().files.get(fd);
  if (!f)
    return Err(-EBADF);
  return f;
}

void release_file(File* file) {
  if (file && --file->refs == 0) {
    epoll_forget_file(file);
    flock_forget(*file);
    if (file->ops->release)
      file->ops->release(*file);
    kfree(file);
  }
}

bool FdTable::grow_to(int fd) {
  if (fd < capacity_)
    return true;
  int capacity = capacity_ ? capacity_ : 64;
  while (capacity <= fd)
    capacity *= 2;
  auto* bigger = static_cast<File**>(krealloc(files_, sizeof(File*) * capacity));
  if (!bigger)
    return false;
  memset(bigger + capacity_, 0, sizeof(File*) * (capacity - capacity_));
  files_ = bigger;
  capacity_ = capacity;
  return true;
}

int FdTable::install(File* file, bool cloexec, int min_fd) {
  int fd = used_.lowest_free(min_fd);
  if (fd < 0 || fd >= limit_)
    return -EMFILE;
  if (!grow_to(fd))
    return -ENOMEM;
  files_[fd] = file;
  used_.set(fd);
  if (cloexec)
    cloexec_.set(fd);
  else
    cloexec_.clear(fd);
  return fd;
}

void FdTable::set_cloexec(int fd, bool on) {
  if (!get(fd))
    return;
  if (on)
    cloexec_.set(fd);
  else
    cloexec_.clear(fd);
}

int FdTable::close(int fd) {
  File* f = get(fd);
  if (!f)
    return -EBADF;
  files_[fd] = nullptr;
  used_.clear(fd);
  cloexec_.clear(fd);
  release_file(f);
  return 0;
}

int FdTable::dup_to(int from, int to, bool cloexec) {
  File* f = get(from);
  if (!f || to < 0 || to >= limit_)
    return -EBADF;
  if (from == to)
    return to;
  if (!grow_to(to))
    return -ENOMEM;
  ++f->refs;
  if (files_[to])
    close(to);
  files_[to] = f;
  used_.set(to);
  set_cloexec(to, cloexec);
  return to;
}

} // namespace unix
