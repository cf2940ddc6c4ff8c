#include "unix/fd/io_vector.h"

#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "mm/heap.h"

namespace unix {

UserIoVector::~UserIoVector() {
  kfree(storage_);
}

Status UserIoVector::fetch(UserPtr<const linux::iovec> user_iov, long count) {
  if (count < 0 || count > kMaxCount)
    return Err(-EINVAL);
  auto n = static_cast<size_t>(count);
  storage_ = static_cast<linux::iovec*>(kmalloc((n ? n : 1) * sizeof(linux::iovec)));
  if (!storage_)
    return Err(-ENOMEM);
  if (n)
    TRY(copy_from_user(storage_, user_iov.as<void>(), n * sizeof(linux::iovec)));
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (storage_[i].len > kMaxTotal - total)
      return Err(-EINVAL);
    total += storage_[i].len;
  }
  io_ = IoVector{storage_, count, total};
  return status_ok();
}

} // namespace unix
