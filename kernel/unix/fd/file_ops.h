// FileOps: what an open file does. Every kind of file -- console, regular file, directory,
// /dev/null, /dev/zero, /dev/urandom, /proc snapshots, pipe ends, eventfd, timerfd,
// signalfd, epoll, sockets -- provides one constant table, and the file syscalls reach a
// file's code only through the dispatch functions below, never by switching on its kind.
//
// Why a table of function pointers and not a File base class with virtual methods (as
// block::Device and Socket, socket.h, are): a File is the open file description that
// dup'ed descriptors share and that other parts of the kernel read plainly (flags, offset,
// node); its behaviour is a per-kind constant, and one kernel object can stand behind
// files of different kinds (a pipe's two ends). A const table per kind in .rodata keeps
// File one plain struct, lets a table leave out what the kind does not do (nullptr picks
// Linux's answer for a file without that operation, documented per entry) and lets the
// host test drive the dispatch with fake tables. Objects with their own polymorphic state
// (sockets of several families) use virtual classes behind one FileOps table.
#pragma once

#include "arch/x86_64/user_ptr.h"
#include "lib/error_or.h"
#include "unix/events/epoll_interest.h"
#include "unix/fd/file.h"
#include "unix/syscall/linux_abi.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

// A readv/writev/sendmsg vector, copied into kernel memory (the bases still point into
// user memory: base(i) gives them as user pointers). total is the sum of the lengths.
struct IoVector {
  const linux::iovec* v;
  long count;
  size_t total;
  UserPtr<uint8_t> base(long i) const { return UserPtr<uint8_t>(v[i].base); }

  // Calls f(user_ptr, len) for each user range covering bytes [off, off + n) of the
  // vector, in order; stops (and returns false) when f returns false.
  template <typename F> bool for_ranges(size_t off, size_t n, F f) const {
    for (long i = 0; i < count && n; ++i) {
      size_t len = v[i].len;
      if (off >= len) {
        off -= len;
        continue;
      }
      size_t k = len - off < n ? len - off : n;
      if (!f(base(i).byte_offset(off), k))
        return false;
      n -= k;
      off = 0;
    }
    return true;
  }
};

struct FileOps {
  FileKind kind = FileKind::kRegular;
  // st_mode of a file with no tree node (pipes, sockets, eventfds...); 0: fstat describes
  // the file's tree node.
  uint32_t mode = 0;
  // pread/pwrite read and write at a given offset (else -ESPIPE).
  bool positional = false;

  // Reads into user memory at *pos (the file offset, or pread's own position; kinds without
  // positions ignore it). nullptr: -EINVAL.
  ErrorOr<size_t> (*read)(File& f, UserPtr<uint8_t> user_buf, size_t len, uint64_t* pos) = nullptr;
  // Writes user memory at *pos. nullptr: -EINVAL.
  ErrorOr<size_t> (*write)(File& f, UserPtr<const uint8_t> user_buf, size_t len,
                           uint64_t* pos) = nullptr;
  // readv/writev. nullptr: each vector in turn through read/write at the file offset,
  // stopping at the first short transfer. Sockets take the vectors as one message.
  ErrorOr<size_t> (*read_vector)(File& f, const IoVector& io) = nullptr;
  ErrorOr<size_t> (*write_vector)(File& f, const IoVector& io) = nullptr;
  // lseek (whence already checked to be SEEK_SET..SEEK_HOLE). nullptr: -ESPIPE.
  ErrorOr<uint64_t> (*seek)(File& f, int64_t offset, int whence) = nullptr;
  // ioctl requests of the kind (FIONREAD, terminal requests). nullptr: -ENOTTY.
  ErrorOr<long> (*ioctl)(File& f, unsigned long request, uint64_t arg) = nullptr;
  // What the file is ready for now and its change counters (epoll_interest.h). nullptr:
  // always readable and writable, as Linux reports files that cannot block.
  Readiness (*readiness)(File& f) = nullptr;
  // The last reference to the file is gone: drop the object. nullptr: nothing to do.
  void (*release)(File& f) = nullptr;
};

// ---- dispatch (file_ops.cc): what the syscalls call ----
ErrorOr<size_t> file_read(File& f, UserPtr<uint8_t> user_buf, size_t len);
ErrorOr<size_t> file_write(File& f, UserPtr<const uint8_t> user_buf, size_t len);
// pread64/pwrite64: at `pos`, leaving the file offset alone. -ESPIPE unless positional,
// -EINVAL for a negative position.
ErrorOr<size_t> file_pread(File& f, UserPtr<uint8_t> user_buf, size_t len, int64_t pos);
ErrorOr<size_t> file_pwrite(File& f, UserPtr<const uint8_t> user_buf, size_t len, int64_t pos);
ErrorOr<size_t> file_readv(File& f, const IoVector& io);
// preadv/pwritev (Linux AIO, io_uring): each vector in turn at `pos`, leaving the file
// offset alone; a short transfer ends the call, and what moved before an error is the
// result. -ESPIPE unless positional, -EINVAL for a negative position.
ErrorOr<size_t> file_preadv(File& f, const IoVector& io, int64_t pos);
ErrorOr<size_t> file_pwritev(File& f, const IoVector& io, int64_t pos);
ErrorOr<size_t> file_writev(File& f, const IoVector& io);
// lseek: -EINVAL for an unknown whence, then the kind's seek.
ErrorOr<uint64_t> file_seek(File& f, int64_t offset, int whence);
ErrorOr<long> file_ioctl(File& f, unsigned long request, uint64_t arg);
// What the file is ready for; poll's RDNORM/WRNORM follow IN/OUT, as on Linux.
Readiness file_readiness(File& f);

// ---- small shared pieces for tables ----
// The size of a per-call HeapBuffer (heap_buffer.h) that moves `len` bytes between user
// memory and code taking kernel addresses, in chunks of at most 32 KiB.
constexpr size_t kIoChunk = 32 * 1024;
inline size_t io_chunk(size_t len) {
  return len == 0 ? 1 : len < kIoChunk ? len : kIoChunk;
}

// A read or write that the file's open mode forbids (the write end of a pipe read from, a
// read-only snapshot written to): -EBADF, as Linux's FMODE_READ/FMODE_WRITE check.
ErrorOr<size_t> read_not_permitted(File& f, UserPtr<uint8_t> user_buf, size_t len, uint64_t* pos);
ErrorOr<size_t> write_not_permitted(File& f, UserPtr<const uint8_t> user_buf, size_t len,
                                    uint64_t* pos);
// lseek on a file that has no positions but does not refuse (Linux's anonymous inodes and
// character devices answer 0).
ErrorOr<uint64_t> seek_nowhere(File& f, int64_t offset, int whence);

} // namespace unix
