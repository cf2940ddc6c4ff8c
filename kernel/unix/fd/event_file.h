// Files that are kernel objects instead of tree nodes -- pipes, eventfds, timerfds,
// signalfds, sockets, epoll instances: how such a file is made around its object, and the
// readiness announcements that poll, select and epoll wait for. Their operations are
// FileOps tables (file_ops.h) in the file of each kind.
#pragma once

#include "sched/wait.h"
#include "unix/events/epoll_interest.h"
#include "unix/fd/file.h"
#include "unix/fd/file_ops.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

// Change counters of one pollable object (see epoll_interest.h).
struct EventGen {
  uint64_t in = 0, out = 0;
};

// Something about the object changed that may have made it ready for `events` (input bits,
// output bits, errors/hang-ups count for both): counts the change for EPOLLET and wakes
// every poll/select/epoll waiter.
void announce(EventGen& gen, uint32_t events);

// Wraps `object` in a new File with operations `ops` (open flags `flags`) at the lowest
// free descriptor. On failure the caller still owns `object`; returns fd or -errno.
int install_object_file(const FileOps& ops, void* object, int flags, bool cloexec);

// Holds a reference to an open file for the length of a syscall that may block, so that
// another thread closing the descriptor meanwhile cannot free the file underneath.
class FileRef {
public:
  explicit FileRef(File* f) : f_(f) {
    if (f_)
      ++f_->refs;
  }
  ~FileRef() { release_file(f_); }
  FileRef(const FileRef&) = delete;
  FileRef& operator=(const FileRef&) = delete;

private:
  File* f_;
};

// epoll: drops f from every interest list (its last descriptor was closed) (sys_epoll.cc).
void epoll_forget_file(File* f);

// Pipes (sys_pipe.cc), for fcntl's F_GETPIPE_SZ/F_SETPIPE_SZ: is f an end of a pipe, its
// capacity in bytes, and a new capacity (rounded up to a power-of-two number of pages;
// -EBUSY below what it holds, -EPERM past 1 MiB).
bool is_pipe(const File& f);
// Adds n to an eventfd's counter (saturating) and wakes its readers, as Linux AIO's
// IOCB_FLAG_RESFD does; false when f is not an eventfd.
bool eventfd_signal(File& f, uint64_t n);
long pipe_capacity(const File& f);
ErrorOr<long> set_pipe_capacity(File& f, uint64_t requested);
// A write of kernel memory into the write end f, as write() would do it (blocking, or
// EAGAIN when O_NONBLOCK; EPIPE and SIGPIPE without readers): sendfile's destination.
ErrorOr<size_t> pipe_write_kernel(File& f, const uint8_t* src, size_t len);

// signalfd: a signal became pending; wakes signalfd readers and pollers (sys_signalfd.cc).
// Called by raise_process_signal.
void signal_raised_notify();

} // namespace unix
