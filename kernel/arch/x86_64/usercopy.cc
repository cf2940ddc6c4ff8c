#include "arch/x86_64/usercopy.h"

#include "lib/errno.h"

extern "C" size_t usercopy_raw(void* dst, const void* src, size_t n);
extern "C" size_t userclear_raw(void* dst, size_t n);
extern "C" long userstr_raw(char* dst, const char* src, size_t max);

namespace {
uint64_t addr(const void* p) {
  return reinterpret_cast<uint64_t>(p);
}
} // namespace

int copy_from_user(void* dst, const void* user_src, size_t len) {
  if (!len)
    return 0;
  if (!user_range_ok(addr(user_src), len))
    return -EFAULT;
  return usercopy_raw(dst, user_src, len) ? -EFAULT : 0;
}

int copy_to_user(void* user_dst, const void* src, size_t len) {
  if (!len)
    return 0;
  if (!user_range_ok(addr(user_dst), len))
    return -EFAULT;
  return usercopy_raw(user_dst, src, len) ? -EFAULT : 0;
}

int clear_user(void* user_dst, size_t len) {
  if (!len)
    return 0;
  if (!user_range_ok(addr(user_dst), len))
    return -EFAULT;
  return userclear_raw(user_dst, len) ? -EFAULT : 0;
}

long strncpy_from_user(char* dst, const char* user_src, size_t max) {
  if (!max)
    return -ENAMETOOLONG;
  uint64_t src = addr(user_src);
  if (src >= kUserAddressEnd)
    return -EFAULT;
  // Never read past the end of user space, even while looking for the NUL.
  size_t limit = max;
  bool clipped = false;
  if (limit > kUserAddressEnd - src) {
    limit = kUserAddressEnd - src;
    clipped = true;
  }
  long n = userstr_raw(dst, user_src, limit);
  if (n < 0)
    return -EFAULT;
  if (static_cast<size_t>(n) == limit) {
    if (clipped)
      return -EFAULT;
    dst[max - 1] = 0;
    return -ENAMETOOLONG;
  }
  return n;
}

namespace {

// The part of [addr, addr + len) below the end of user space.
size_t user_part(uint64_t user, size_t len) {
  if (user >= kUserAddressEnd)
    return 0;
  return len < kUserAddressEnd - user ? len : static_cast<size_t>(kUserAddressEnd - user);
}

// usercopy_raw/userclear_raw count what they did not do in eight-byte steps, so a fault
// inside a word leaves up to seven bytes before it undone: finish those one at a time.
template <typename Step> size_t exact_prefix(size_t len, size_t left, Step one_byte) {
  size_t done = len - left;
  while (done < len && one_byte(done) == 0)
    ++done;
  return done;
}

} // namespace

size_t copy_to_user_prefix(UserPtr<void> dst, const void* src, size_t len) {
  uint64_t user = dst.address();
  len = user_part(user, len);
  if (!len)
    return 0;
  auto* bytes = static_cast<const uint8_t*>(src);
  size_t left = usercopy_raw(reinterpret_cast<void*>(user), bytes, len);
  return exact_prefix(len, left, [&](size_t at) {
    return usercopy_raw(reinterpret_cast<void*>(user + at), bytes + at, 1);
  });
}

size_t clear_user_prefix(UserPtr<void> dst, size_t len) {
  uint64_t user = dst.address();
  len = user_part(user, len);
  if (!len)
    return 0;
  size_t left = userclear_raw(reinterpret_cast<void*>(user), len);
  return exact_prefix(
      len, left, [&](size_t at) { return userclear_raw(reinterpret_cast<void*>(user + at), 1); });
}

Status copy_from_user(void* dst, UserPtr<void> src, size_t len) {
  if (copy_from_user(dst, reinterpret_cast<const void*>(src.address()), len) < 0)
    return Err(-EFAULT);
  return status_ok();
}

Status copy_to_user(UserPtr<void> dst, const void* src, size_t len) {
  if (copy_to_user(reinterpret_cast<void*>(dst.address()), src, len) < 0)
    return Err(-EFAULT);
  return status_ok();
}

Status clear_user(UserPtr<void> dst, size_t len) {
  if (clear_user(reinterpret_cast<void*>(dst.address()), len) < 0)
    return Err(-EFAULT);
  return status_ok();
}

ErrorOr<size_t> strncpy_from_user(char* dst, UserPtr<const char> src, size_t max) {
  long n = strncpy_from_user(dst, reinterpret_cast<const char*>(src.address()), max);
  if (n < 0)
    return Err(static_cast<int>(n));
  return static_cast<size_t>(n);
}
