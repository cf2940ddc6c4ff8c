#include "unix/fd/file.h"

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
    if (file->ops->release)
      file->ops->release(*file);
    kfree(file);
  }
}

int FdTable::install(File* file, bool cloexec, int min_fd) {
  for (int fd = min_fd < 0 ? 0 : min_fd; fd < kMaxFds; ++fd) {
    if (!files_[fd]) {
      files_[fd] = file;
      cloexec_[fd] = cloexec;
      return fd;
    }
  }
  return -EMFILE;
}

File* FdTable::get(int fd) const {
  return fd >= 0 && fd < kMaxFds ? files_[fd] : nullptr;
}

void FdTable::set_cloexec(int fd, bool on) {
  if (get(fd))
    cloexec_[fd] = on;
}

int FdTable::close(int fd) {
  File* f = get(fd);
  if (!f)
    return -EBADF;
  files_[fd] = nullptr;
  cloexec_[fd] = false;
  release_file(f);
  return 0;
}

int FdTable::dup_to(int from, int to, bool cloexec) {
  File* f = get(from);
  if (!f || to < 0 || to >= kMaxFds)
    return -EBADF;
  if (from == to)
    return to;
  ++f->refs;
  if (files_[to])
    close(to);
  files_[to] = f;
  cloexec_[to] = cloexec;
  return to;
}

} // namespace unix
