// ErrorOr<T>: either a value or a negative Linux errno (see lib/errno.h).
//
//   ErrorOr<size_t> r = read_something();
//   if (!r) return r.error();      // error() is negative, e.g. -EFAULT
//   use(*r);
//
// T must be default-constructible (kernel values are small PODs, pointers, sizes).
//
// TRY(expr) evaluates an ErrorOr<T> (or a Status) and either yields its value or returns
// its error from the enclosing function, which must itself return some ErrorOr<U>:
//
//   ErrorOr<long> sys_example(...) {
//     size_t n = TRY(read_something());   // on failure: return Err(error)
//     TRY(check_something());             // a Status: the value (true) is discarded
//     return static_cast<long>(n);
//   }
#pragma once

#include "lib/errno.h"

template <typename T> class [[nodiscard]] ErrorOr {
public:
  ErrorOr(T value) : value_(static_cast<T&&>(value)), error_(0) {}
  // Construct from an errno; accepts -EFOO (preferred) or EFOO and stores it negative.
  static ErrorOr failure(int err) {
    ErrorOr r;
    r.error_ = err < 0 ? err : -err;
    if (r.error_ == 0)
      r.error_ = -EINVAL;
    return r;
  }

  bool ok() const { return error_ == 0; }
  explicit operator bool() const { return ok(); }
  int error() const { return error_; } // 0 when ok, else a negative errno
  T& value() { return value_; }
  // Moves the value out (TRY uses it; the ErrorOr is spent afterwards).
  T release_value() && { return static_cast<T&&>(value_); }
  const T& value() const { return value_; }
  T& operator*() { return value_; }
  const T& operator*() const { return value_; }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }

private:
  ErrorOr() : value_(), error_(0) {}
  T value_;
  int error_;
};

// Shorthand: `return Err(-ENOMEM);` converts to any ErrorOr<T>.
struct Err {
  explicit Err(int e) : err(e) {}
  template <typename T> operator ErrorOr<T>() const { return ErrorOr<T>::failure(err); }
  int err;
};

// Adapts a lower layer that still answers "a value >= 0 or a negative errno" in one
// integer (the filesystem, the path walk) to ErrorOr.
inline ErrorOr<long> errno_result(long r) {
  if (r < 0)
    return Err(static_cast<int>(r));
  return r;
}

// For functions that return only success or an errno.
using Status = ErrorOr<bool>;
inline Status status_ok() {
  return Status(true);
}

// A GNU statement expression (__extension__ keeps -Wpedantic quiet in host tests), so TRY
// can stand inside a larger expression. The value is
// moved out of the temporary; the error is re-wrapped by Err so it converts to the caller's
// ErrorOr<U> whatever U is.
#define TRY(expr)                                                                                  \
  __extension__({                                                                                  \
    auto _try_result = (expr);                                                                     \
    if (!_try_result.ok())                                                                         \
      return Err(_try_result.error());                                                             \
    static_cast<decltype(_try_result)&&>(_try_result).release_value();                             \
  })
