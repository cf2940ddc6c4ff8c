// The iovec array of readv/writev/sendmsg/recvmsg, copied into kernel memory once so that
// every file kind walks the same checked vector.
#pragma once

#include "lib/error_or.h"
#include "unix/fd/file_ops.h"

namespace unix {

class UserIoVector {
public:
  static constexpr long kMaxCount = 1024;         // Linux's UIO_MAXIOV
  static constexpr size_t kMaxTotal = 0x7FFFF000; // Linux's MAX_RW_COUNT
  UserIoVector() = default;
  ~UserIoVector();
  UserIoVector(const UserIoVector&) = delete;
  UserIoVector& operator=(const UserIoVector&) = delete;

  // Copies `count` iovecs from user memory. -EINVAL for a count outside 0..kMaxCount or
  // lengths adding up to more than kMaxTotal, -EFAULT, -ENOMEM.
  Status fetch(UserPtr<const linux::iovec> user_iov, long count);
  const IoVector& vector() const { return io_; }

private:
  linux::iovec* storage_ = nullptr;
  IoVector io_{nullptr, 0, 0};
};

} // namespace unix
