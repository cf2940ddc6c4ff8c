// Socket files: the FileOps every socket shares, whatever its family (socket.h).
#include "lib/errno.h"
#include "unix/fd/event_file.h"
#include "unix/process/process.h"
#include "unix/signal/signal.h"
#include "unix/socket/interface_ioctl.h"
#include "unix/socket/socket.h"
#include "unix/syscall/linux_abi.h"

namespace unix {
namespace {

ErrorOr<size_t> socket_read(File& f, UserPtr<uint8_t> ubuf, size_t len, uint64_t*) {
  linux::iovec v{ubuf.address(), len};
  int msg_flags = 0;
  SocketAddress from;
  return socket_of(f)->receive(f, IoVector{&v, 1, len}, 0, &msg_flags, &from);
}

ErrorOr<size_t> socket_write(File& f, UserPtr<const uint8_t> ubuf, size_t len, uint64_t*) {
  linux::iovec v{ubuf.address(), len};
  return socket_of(f)->send(f, IoVector{&v, 1, len}, 0, UserPtr<const void>(), 0);
}

// readv/writev: the vectors are one message (a datagram spans all of them).
ErrorOr<size_t> socket_read_vector(File& f, const IoVector& io) {
  int msg_flags = 0;
  SocketAddress from;
  return socket_of(f)->receive(f, io, 0, &msg_flags, &from);
}

ErrorOr<size_t> socket_write_vector(File& f, const IoVector& io) {
  return socket_of(f)->send(f, io, 0, UserPtr<const void>(), 0);
}

Readiness socket_readiness(File& f) {
  return socket_of(f)->readiness();
}

// The interface queries first (every family answers them), then the family's own requests.
ErrorOr<long> socket_ioctl(File& f, unsigned long request, uint64_t arg) {
  ErrorOr<long> interface = interface_ioctl(socket_of(f)->domain(), request, arg);
  if (interface.ok() || interface.error() != -ENOTTY)
    return interface;
  return socket_of(f)->ioctl(request, arg);
}

void socket_release(File& f) {
  socket_of(f)->close();
}

} // namespace

// Sockets cannot seek (no seek: -ESPIPE, as on Linux).
const FileOps kSocketFileOps{
    .kind = FileKind::kSocket,
    .mode = 0140000 | 0777, // S_IFSOCK
    .read = socket_read,
    .write = socket_write,
    .read_vector = socket_read_vector,
    .write_vector = socket_write_vector,
    .ioctl = socket_ioctl,
    .readiness = socket_readiness,
    .release = socket_release,
};

int install_socket_file(Socket* s, int flags) {
  return install_object_file(kSocketFileOps, s, linux::O_RDWR | (flags & kSockNonblock),
                             flags & kSockCloexec);
}

ErrorOr<File*> socket_file(int fd) {
  File* f = process().files.get(fd);
  if (!f)
    return Err(-EBADF);
  if (f->ops != &kSocketFileOps)
    return Err(-ENOTSOCK);
  return f;
}

bool would_block(const File& f, int flags) {
  return (flags & kMsgDontwait) || (f.flags & linux::O_NONBLOCK);
}

ErrorOr<size_t> partial_or(size_t done, int error) {
  if (done)
    return done;
  return Err(error);
}

Err broken_pipe(int flags) {
  if (!(flags & kMsgNosignal))
    raise_process_signal(kSigPipe);
  return Err(-EPIPE);
}

} // namespace unix
