// Byte helpers for the freestanding TFS codec (no libc in the kernel or stage2), shared by
// the decoder and the log appender so both hash symbols the same way.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace tfs::bytes {

// The compiler's builtins: inline stores for small constant sizes, else the environment's
// memcpy/memset (libc on the host, the kernel's and stage2's own), which move 8 bytes per
// step where a byte loop would take eight (every step is emulated under kvm-pvm).
inline void copy(void* dst, const void* src, size_t n) {
  __builtin_memcpy(dst, src, n);
}

inline void zero(void* dst, size_t n) {
  __builtin_memset(dst, 0, n);
}

inline bool same(const uint8_t* a, size_t alen, const uint8_t* b, size_t blen) {
  if (alen != blen)
    return false;
  for (size_t i = 0; i < alen; ++i)
    if (a[i] != b[i])
      return false;
  return true;
}

// The symbol dictionary's hash (in memory only, never stored): eight bytes per step, then
// the tail, then a final mix.
inline uint32_t hash(const uint8_t* p, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15ull;
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
  return static_cast<uint32_t>(h);
}

} // namespace tfs::bytes
