// UserPtr<T>: an address that came from user space and points (the program says) at a T.
//
// It is deliberately not a pointer: it has no operator*, no operator->, and no conversion to
// T*, so the only way to reach the memory behind it is the copy helpers in usercopy.h, which
// check the range and turn a bad address into -EFAULT instead of a kernel fault. Syscall
// handlers get one from SyscallArgs::user<T>(n).
#pragma once

#include <stddef.h>
#include <stdint.h>

template <typename T> class UserPtr {
public:
  constexpr UserPtr() = default;
  constexpr explicit UserPtr(uint64_t address) : address_(address) {}

  constexpr uint64_t address() const { return address_; }
  constexpr bool is_null() const { return address_ == 0; }

  // The address of element `index` (user arrays are walked with this; the copy helpers
  // check the final range, so overflow here only produces an address they reject).
  constexpr UserPtr offset(size_t index) const { return UserPtr(address_ + index * sizeof(T)); }
  // The same address seen as another type (a struct's field, a byte view of a buffer).
  template <typename U> constexpr UserPtr<U> as() const { return UserPtr<U>(address_); }
  // `bytes` further on, for buffers walked byte by byte.
  constexpr UserPtr byte_offset(size_t bytes) const { return UserPtr(address_ + bytes); }

private:
  uint64_t address_ = 0;
};
