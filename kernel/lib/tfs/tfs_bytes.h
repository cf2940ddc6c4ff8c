// Byte helpers for the freestanding TFS codec (no libc in the kernel or stage2), shared by
// the decoder and the log appender so both hash symbols the same way.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace tfs::bytes {

inline void copy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  for (size_t i = 0; i < n; ++i)
    d[i] = s[i];
}

inline void zero(void* dst, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  for (size_t i = 0; i < n; ++i)
    d[i] = 0;
}

inline bool same(const uint8_t* a, size_t alen, const uint8_t* b, size_t blen) {
  if (alen != blen)
    return false;
  for (size_t i = 0; i < alen; ++i)
    if (a[i] != b[i])
      return false;
  return true;
}

// FNV-1a: the symbol dictionary's hash.
inline uint32_t hash(const uint8_t* p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

} // namespace tfs::bytes
