// Copying between kernel memory and user memory. Each function checks that the user range
// lies entirely in the lower half and runs under an exception fixup: a user address that is
// unmapped (and not made present by unix::handle_user_page_fault, i.e. demand paging) gives
// -EFAULT, never a kernel fault. Return 0 on success or -EFAULT.
#pragma once

#include <stddef.h>
#include <stdint.h>

constexpr uint64_t kUserAddressEnd = 0x0000800000000000ull; // first non-user address

// True if [addr, addr+len) is a user range (no overflow, below kUserAddressEnd).
inline bool user_range_ok(uint64_t addr, size_t len) {
  return addr <= kUserAddressEnd && len <= kUserAddressEnd - addr;
}

int copy_from_user(void* dst, const void* user_src, size_t len);
int copy_to_user(void* user_dst, const void* src, size_t len);
// Clears len user bytes.
int clear_user(void* user_dst, size_t len);
// Copies a NUL-terminated user string of at most max-1 characters plus NUL into dst.
// Returns the string length (without NUL), -EFAULT, or -ENAMETOOLONG when no NUL occurs
// within max bytes (dst then holds max-1 bytes and a NUL).
long strncpy_from_user(char* dst, const char* user_src, size_t max);
