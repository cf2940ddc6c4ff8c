// Files that are kernel objects instead of tree nodes -- pipes, eventfds, timerfds,
// signalfds, sockets, epoll instances: how read/write/readiness/close reach their code, and
// the readiness announcements that poll, select and epoll wait for.
#pragma once

#include "sched/wait.h"
#include "unix/epoll_interest.h"
#include "unix/file.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

struct ObjectOps {
  long (*read)(File* f, uint8_t* user_buf, size_t len);        // nullptr: -EINVAL
  long (*write)(File* f, const uint8_t* user_buf, size_t len); // nullptr: -EINVAL
  Readiness (*readiness)(File* f);
  void (*release)(File* f); // the last descriptor of f was closed
  uint32_t mode;            // st_mode for fstat
};

// The operations of an object kind, nullptr for tree-backed kinds.
const ObjectOps* object_ops(FileKind kind);

// Per-kind tables (sys_pipe.cc, sys_timerfd.cc, sys_signalfd.cc, sys_socket.cc, sys_epoll.cc).
extern const ObjectOps kPipeReadOps, kPipeWriteOps, kEventfdOps, kTimerfdOps, kSignalfdOps,
    kSocketOps, kEpollOps;

// Change counters of one pollable object (see epoll_interest.h).
struct EventGen {
  uint64_t in = 0, out = 0;
};

// Something about the object changed that may have made it ready for `events` (input bits,
// output bits, errors/hang-ups count for both): counts the change for EPOLLET and wakes
// every poll/select/epoll waiter.
void announce(EventGen& gen, uint32_t events);

// What any open file is ready for now: objects ask their kind; the console is writable
// (no input ever arrives), tree files and devices are always readable and writable.
Readiness file_readiness(File* f);

// Wraps `object` in a new File of `kind` (open flags `flags`) at the lowest free
// descriptor. On failure the caller still owns `object`; returns fd or -errno.
int install_object_file(FileKind kind, void* object, int flags, bool cloexec);

// epoll: drops f from every interest list (its last descriptor was closed) (sys_epoll.cc).
void epoll_forget_file(File* f);

// signalfd: a signal became pending; wakes signalfd readers and pollers (sys_signalfd.cc).
// Called by raise_process_signal.
void signal_raised_notify();

} // namespace unix
