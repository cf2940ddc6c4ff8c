// Placement new and nothrow new for the freestanding kernel (no <new> available).
#pragma once

#include <stddef.h>

namespace std {
enum class align_val_t : size_t {};
struct nothrow_t {
  explicit nothrow_t() = default;
};
inline constexpr nothrow_t nothrow{};
} // namespace std

inline void* operator new(size_t, void* where) noexcept {
  return where;
}
inline void* operator new[](size_t, void* where) noexcept {
  return where;
}
// Returns nullptr when out of memory (plain new exits the machine with 127).
void* operator new(size_t n, const std::nothrow_t&) noexcept;
void* operator new[](size_t n, const std::nothrow_t&) noexcept;
