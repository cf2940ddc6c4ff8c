// Copying between kernel memory and user memory. Each function checks that the user range
// lies entirely in the lower half and runs under an exception fixup: a user address that is
// unmapped (and not made present by unix::handle_user_page_fault, i.e. demand paging) gives
// -EFAULT, never a kernel fault.
//
// The typed helpers (first part) take a UserPtr<T> and return Status / ErrorOr; they are the
// only way to reach memory behind a UserPtr. The raw helpers at the end take plain pointers
// and return 0 or -EFAULT; they remain only for code not yet converted to UserPtr.
#pragma once

#include "arch/x86_64/user_ptr.h"
#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

constexpr uint64_t kUserAddressEnd = 0x0000800000000000ull; // first non-user address

// True if [addr, addr+len) is a user range (no overflow, below kUserAddressEnd).
inline bool user_range_ok(uint64_t addr, size_t len) {
  return addr <= kUserAddressEnd && len <= kUserAddressEnd - addr;
}

// ---- Typed helpers --------------------------------------------------------------------

// Byte copies: `len` bytes between a kernel buffer and a user buffer.
Status copy_from_user(void* dst, UserPtr<void> src, size_t len);
Status copy_to_user(UserPtr<void> dst, const void* src, size_t len);
// Clears `len` user bytes.
Status clear_user(UserPtr<void> dst, size_t len);
// Copies the longest prefix of `len` bytes the user buffer takes: it stops exactly at the
// first byte that cannot be written and returns how many were (len when all were). The
// read() family returns such a short count, as Linux does, and -EFAULT only when it is 0.
size_t copy_to_user_prefix(UserPtr<void> dst, const void* src, size_t len);
size_t clear_user_prefix(UserPtr<void> dst, size_t len);
// Copies a NUL-terminated user string of at most max-1 characters plus NUL into dst and
// returns its length. Errors: -EFAULT, or -ENAMETOOLONG when no NUL occurs within max bytes
// (dst then holds max-1 bytes and a NUL, which `trace` shows).
ErrorOr<size_t> strncpy_from_user(char* dst, UserPtr<const char> src, size_t max);

// `count` objects of type T (a whole struct by default), with overflow-checked sizes.
template <typename T> Status copy_from_user(T* dst, UserPtr<T> src, size_t count = 1) {
  if (count > kUserAddressEnd / sizeof(T))
    return Err(-EFAULT);
  return copy_from_user(static_cast<void*>(dst), src.template as<void>(), count * sizeof(T));
}
template <typename T> Status copy_to_user(UserPtr<T> dst, const T* src, size_t count = 1) {
  if (count > kUserAddressEnd / sizeof(T))
    return Err(-EFAULT);
  return copy_to_user(dst.template as<void>(), static_cast<const void*>(src), count * sizeof(T));
}
// One object read by value: `auto ts = TRY(copy_from_user(args.user<timespec>(0)));`
template <typename T> ErrorOr<T> copy_from_user(UserPtr<T> src) {
  T value{};
  TRY(copy_from_user(&value, src));
  return value;
}
// Stores a value unless the pointer is null (the common "optional out-parameter" case).
template <typename T> Status copy_to_user_if_set(UserPtr<T> dst, const T& value) {
  if (dst.is_null())
    return status_ok();
  return copy_to_user(dst, &value);
}

// ---- Raw primitives: what the typed helpers above are built on (and the kernel self-test
// checks); the syscall layer uses only the typed forms. -----------------------------------
// Return 0 on success or -EFAULT.

int copy_from_user(void* dst, const void* user_src, size_t len);
int copy_to_user(void* user_dst, const void* src, size_t len);
// Clears len user bytes.
int clear_user(void* user_dst, size_t len);
// Copies a NUL-terminated user string of at most max-1 characters plus NUL into dst.
// Returns the string length (without NUL), -EFAULT, or -ENAMETOOLONG when no NUL occurs
// within max bytes (dst then holds max-1 bytes and a NUL).
long strncpy_from_user(char* dst, const char* user_src, size_t max);
