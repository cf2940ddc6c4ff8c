// Open files and the descriptor table. A File is one open file description: what open(),
// pipe(), socket()... create and dup'ed descriptors share (flags, offset, reference count).
// What a file does -- read, write, seek, poll, ioctl, close -- comes from its operations
// table (FileOps, file_ops.h); FdTable maps descriptor numbers to Files.
#pragma once

#include "lib/error_or.h"
#include "unix/fd/fd_bitmap.h"
#include "unix/fs/fs_names.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

struct FileOps;

// What a file is. Nothing dispatches on this tag (every operation goes through FileOps);
// it answers identity questions other layers ask, like S_ISDIR on Linux: "is this a
// directory" for *at() path walks, "a regular file" for mmap and ftruncate, "an epoll /
// timerfd / signalfd / socket" for the calls that only take those. A new kind needs a
// value here only when some call must recognise it.
enum class FileKind : uint8_t {
  kConsole,   // stdin/stdout/stderr: serial console
  kRegular,   // a TFS file
  kDirectory, // getdents64 over a tree node
  kNull,      // /dev/null
  kZero,      // /dev/zero
  kRandom,    // /dev/urandom, /dev/random
  kSnapshot,  // generated content (/proc/self/maps), captured at open
  kPipeRead,  // read end of a pipe (object: Pipe)
  kPipeWrite, // write end of a pipe (object: Pipe)
  kEventfd,   // eventfd counter (object: Eventfd)
  kTimerfd,   // timerfd (object: Timerfd, sys_timerfd.cc)
  kSignalfd,  // signalfd (object: Signalfd, sys_signalfd.cc)
  kSocket,    // a socket of any family (object: Socket, socket.h)
  kEpoll,     // epoll instance (object: Epoll, sys_epoll.cc)
  kMemfd,     // memfd_create's file in memory (object: Memfd, memfd.cc)
  kIoUring,   // an io_uring instance (object: uring::Ring, uring/ring.h)
};

struct File {
  const FileOps* ops; // never null
  FileKind kind;      // ops->kind, kept here for the identity checks above
  int refs;
  int flags;     // open status flags (O_ACCMODE, O_APPEND, O_NONBLOCK ...)
  NodeId node;   // -1 for files with no tree node (the console, pipes, sockets ...)
  uint64_t offset;
  char* data;    // kSnapshot
  size_t data_len;
  int32_t cursor; // kDirectory: next child node to list (-1: end), after "." and ".."
  void* object;   // the kernel object behind the file (pipe, socket ...); ops->release frees it
};

// The descriptor table's size, and so RLIMIT_NOFILE's default (soft and hard): servers hold
// tens of thousands of connections. Linux's nr_open plays the same role: setrlimit cannot
// raise the hard limit past it.
constexpr int kMaxFds = kFdCapacity;

class FdTable {
public:
  // Installs file at the lowest free descriptor >= min_fd. -EMFILE when none is free below
  // the soft limit, -ENOMEM when the table cannot grow.
  int install(File* file, bool cloexec, int min_fd = 0);
  File* get(int fd) const { return fd >= 0 && fd < capacity_ ? files_[fd] : nullptr; }
  bool cloexec(int fd) const { return get(fd) && cloexec_.test(fd); }
  void set_cloexec(int fd, bool on);
  // Drops fd. -EBADF if not open.
  int close(int fd);
  // Makes `to` refer to the file of `from` (closing `to` first). -EBADF if from is not open
  // or `to` is at or past the soft limit.
  int dup_to(int from, int to, bool cloexec);
  // The lowest open descriptor >= from, or -1: walks the open descriptors in order.
  int next_open(int from) const { return used_.next_used(from); }
  // RLIMIT_NOFILE's soft limit: descriptors at or above it are not handed out.
  int limit() const { return limit_; }
  void set_limit(int limit) { limit_ = limit < kMaxFds ? limit : kMaxFds; }

private:
  // The File array grows on demand (most programs use a handful of descriptors); the bit
  // maps are fixed (8 KiB each for 65 536 descriptors).
  bool grow_to(int fd);

  File** files_ = nullptr;
  int capacity_ = 0;
  int limit_ = kMaxFds;
  FdBitmap used_;
  FdBitmap cloexec_;
};

// A new File with one reference, operations `ops` (kind ops.kind); nullptr when out of memory.
File* new_file(const FileOps& ops, NodeId node, int flags);
// The file open at descriptor fd of the process, or -EBADF.
ErrorOr<File*> file_for(int fd);
// Drops a reference; the last one leaves every epoll interest list, gives up its flock()
// lock, runs ops->release and frees the file.
void release_file(File* file);
// Gives up the flock() lock the description holds, if any (sys_flock.cc).
void flock_forget(const File& file);

} // namespace unix
