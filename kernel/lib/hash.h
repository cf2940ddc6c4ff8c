// A fast in-memory hash of a byte string (never stored on disk): eight bytes per step, then
// the tail, then a final mix so the low bits that pick a hash-table slot depend on all of
// the input. Word steps matter under kvm-pvm, where each kernel instruction is emulated.
// Header-only: the kernel, stage2 and the host tools use it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace klib {

inline uint64_t hash_bytes(const void* data, size_t n, uint64_t seed = 0) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t h = 0x9E3779B97F4A7C15ull ^ seed;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    __builtin_memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001B3ull;
    h ^= h >> 29;
  }
  for (; i < n; ++i)
    h = (h ^ p[i]) * 0x100000001B3ull;
  h ^= h >> 32;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 29;
  return h;
}

} // namespace klib
