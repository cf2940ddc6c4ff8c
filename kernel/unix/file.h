// Open files and the descriptor table. A File is what a descriptor refers to (shared by
// dup'ed descriptors); FdTable maps descriptor numbers to Files.
#pragma once

#include "lib/error_or.h"
#include "unix/path_walk.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

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
  kSocket,    // AF_UNIX socket endpoint (object: Socket, sys_socket.cc)
  kEpoll,     // epoll instance (object: Epoll, sys_epoll.cc)
};

struct File {
  FileKind kind;
  int refs;
  int flags;     // open status flags (O_ACCMODE, O_APPEND, O_NONBLOCK ...)
  NodeId node;   // -1 for the console
  uint64_t offset;
  char* data;    // kSnapshot
  size_t data_len;
  int32_t cursor; // kDirectory: next child node to list (-1: end), after "." and ".."
  void* object;   // object kinds (pipes ... epoll); released with the file (event_file.cc)
};

constexpr int kMaxFds = 1024;

class FdTable {
public:
  // Installs file at the lowest free descriptor >= min_fd. -EMFILE when full.
  int install(File* file, bool cloexec, int min_fd = 0);
  File* get(int fd) const;
  bool cloexec(int fd) const { return fd >= 0 && fd < kMaxFds && cloexec_[fd]; }
  void set_cloexec(int fd, bool on);
  // Drops fd. -EBADF if not open.
  int close(int fd);
  // Makes `to` refer to the file of `from` (closing `to` first). -EBADF if from is not open.
  int dup_to(int from, int to, bool cloexec);

private:
  File* files_[kMaxFds] = {};
  bool cloexec_[kMaxFds] = {};
};

File* new_file(FileKind kind, NodeId node, int flags);
// Object kinds (pipes, eventfd, timerfd, signalfd, sockets, epoll; event_file.cc):
// drops the file's reference to its object (and its epoll interests) when the file goes.
void release_object(File* file);
// read/write of object kinds.
long special_read(File* file, uint8_t* user_buf, size_t len);
long special_write(File* file, const uint8_t* user_buf, size_t len);
// st_mode of an object kind's file for fstat; 0 for kinds backed by a tree node.
uint32_t object_file_mode(const File* file);
// readv/writev on a socket: one datagram spans all the vectors (sys_socket.cc).
long socket_vector_io(File* file, const void* user_iov, long count, bool write);
void release_file(File* file);

} // namespace unix
