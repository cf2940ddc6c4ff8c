// Byte helpers for the freestanding TFS codec (no libc in the kernel or stage2), shared by
// the decoder and the log appender so both hash symbols the same way.
#pragma once

#include "lib/hash.h"

#include <stddef.h>
#include <stdint.h>

namespace tfs::bytes {

// The compiler's builtins: inline stores for small constant sizes, else the environment's
// memcpy/memset (libc on the host, the kernel's and stage2's own), which move 8 bytes per
// step where a byte loop would take eight (every step is emulated under kvm-pvm).
// n may be 0 with null pointers (an empty sequence), which memcpy/memset do not allow.
inline void copy(void* dst, const void* src, size_t n) {
  if (n)
    __builtin_memcpy(dst, src, n);
}

inline void zero(void* dst, size_t n) {
  if (n)
    __builtin_memset(dst, 0, n);
}

inline bool same(const uint8_t* a, size_t alen, const uint8_t* b, size_t blen) {
  return alen == blen && (alen == 0 || __builtin_memcmp(a, b, alen) == 0);
}

// The symbol dictionary's hash (in memory only, never stored).
inline uint32_t hash(const uint8_t* p, size_t n) {
  return static_cast<uint32_t>(klib::hash_bytes(p, n));
}

} // namespace tfs::bytes
