// Dispatch of the file syscalls through a file's FileOps table (file_ops.h), with the
// Linux answer for an operation a kind leaves out. No user memory is touched here, so the
// rules are unit-tested on the host (file_ops_test.cc).
#include "unix/fd/file_ops.h"

#include "lib/errno.h"

namespace unix {

ErrorOr<size_t> file_read(File& f, UserPtr<uint8_t> user_buf, size_t len) {
  if (!f.ops->read)
    return Err(-EINVAL);
  return f.ops->read(f, user_buf, len, &f.offset);
}

ErrorOr<size_t> file_write(File& f, UserPtr<const uint8_t> user_buf, size_t len) {
  if (!f.ops->write)
    return Err(-EINVAL);
  return f.ops->write(f, user_buf, len, &f.offset);
}

ErrorOr<size_t> file_pread(File& f, UserPtr<uint8_t> user_buf, size_t len, int64_t pos) {
  if (!f.ops->positional)
    return Err(-ESPIPE);
  if (pos < 0)
    return Err(-EINVAL);
  if (!f.ops->read)
    return Err(-EINVAL);
  auto at = static_cast<uint64_t>(pos);
  return f.ops->read(f, user_buf, len, &at);
}

ErrorOr<size_t> file_pwrite(File& f, UserPtr<const uint8_t> user_buf, size_t len, int64_t pos) {
  if (!f.ops->positional)
    return Err(-ESPIPE);
  if (pos < 0)
    return Err(-EINVAL);
  if (!f.ops->write)
    return Err(-EINVAL);
  auto at = static_cast<uint64_t>(pos);
  return f.ops->write(f, user_buf, len, &at);
}

namespace {

template <bool kWrite> ErrorOr<size_t> positional_vector(File& f, const IoVector& v, int64_t pos) {
  if (!f.ops->positional)
    return Err(-ESPIPE);
  if (pos < 0)
    return Err(-EINVAL);
  size_t total = 0;
  for (long i = 0; i < v.count; ++i) {
    size_t len = v.v[i].len;
    if (len == 0)
      continue;
    ErrorOr<size_t> r = kWrite ? file_pwrite(f, v.base(i).as<const uint8_t>(), len, pos)
                               : file_pread(f, v.base(i), len, pos);
    if (!r.ok())
      return total ? ErrorOr<size_t>(total) : Err(r.error());
    total += *r;
    pos += static_cast<int64_t>(*r);
    if (*r < len)
      break;
  }
  return total;
}

} // namespace

ErrorOr<size_t> file_preadv(File& f, const IoVector& io, int64_t pos) {
  return positional_vector<false>(f, io, pos);
}

ErrorOr<size_t> file_pwritev(File& f, const IoVector& io, int64_t pos) {
  return positional_vector<true>(f, io, pos);
}

namespace {

// readv/writev for kinds without their own: one read or write per non-empty vector at the
// file offset. What was transferred before an error is the result (the error is lost, as
// on Linux); a short transfer ends the call.
template <bool kWrite> ErrorOr<size_t> each_vector(File& f, const IoVector& io) {
  size_t total = 0;
  for (long i = 0; i < io.count; ++i) {
    const linux::iovec& v = io.v[i];
    if (v.len == 0)
      continue;
    ErrorOr<size_t> r = kWrite ? file_write(f, io.base(i).as<const uint8_t>(), v.len)
                               : file_read(f, io.base(i), v.len);
    if (!r.ok())
      return total ? ErrorOr<size_t>(total) : r;
    total += *r;
    if (*r < v.len)
      break;
  }
  return total;
}

} // namespace

ErrorOr<size_t> file_readv(File& f, const IoVector& io) {
  return f.ops->read_vector ? f.ops->read_vector(f, io) : each_vector<false>(f, io);
}

ErrorOr<size_t> file_writev(File& f, const IoVector& io) {
  return f.ops->write_vector ? f.ops->write_vector(f, io) : each_vector<true>(f, io);
}

ErrorOr<uint64_t> file_seek(File& f, int64_t offset, int whence) {
  constexpr int kSeekSet = 0, kSeekHole = 4;
  if (whence < kSeekSet || whence > kSeekHole)
    return Err(-EINVAL);
  if (!f.ops->seek)
    return Err(-ESPIPE);
  return f.ops->seek(f, offset, whence);
}

ErrorOr<long> file_ioctl(File& f, unsigned long request, uint64_t arg) {
  if (!f.ops->ioctl)
    return Err(-ENOTTY);
  return f.ops->ioctl(f, request, arg);
}

Readiness file_readiness(File& f) {
  if (!f.ops->readiness) {
    Readiness always;
    always.events = kEpollIn | kEpollRdNorm | kEpollOut | kEpollWrNorm;
    return always;
  }
  Readiness r = f.ops->readiness(f);
  if (r.events & kEpollIn)
    r.events |= kEpollRdNorm;
  if (r.events & kEpollOut)
    r.events |= kEpollWrNorm;
  return r;
}

ErrorOr<size_t> read_not_permitted(File&, UserPtr<uint8_t>, size_t, uint64_t*) {
  return Err(-EBADF);
}

ErrorOr<size_t> write_not_permitted(File&, UserPtr<const uint8_t>, size_t, uint64_t*) {
  return Err(-EBADF);
}

ErrorOr<uint64_t> seek_nowhere(File&, int64_t, int) {
  return uint64_t{0};
}

} // namespace unix
