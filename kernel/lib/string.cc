#include "lib/string.h"

#ifndef KERNEL_HOST_BUILD
// The compiler turns loops into calls to these; keep them free of such loops themselves
// by using string instructions.
// Eight bytes per iteration where possible: string instructions are executed one
// iteration at a time when a hypervisor emulates the kernel (this machine's kvm-pvm).
extern "C" void* memcpy(void* dst, const void* src, size_t n) {
  void* d = dst;
  size_t words = n / 8, rest = n % 8;
  asm volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
  asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(rest) : : "memory");
  return dst;
}

extern "C" void* memmove(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  auto* s = static_cast<const unsigned char*>(src);
  if (d == s || n == 0)
    return dst;
  if (d < s || d >= s + n)
    return memcpy(dst, src, n);
  // Overlapping with dst above src: copy backwards, the bytes above the last whole word
  // first, then words (one emulated iteration per 8 bytes rather than per byte).
  size_t words = n / 8, rest = n % 8;
  d += n;
  s += n;
  if (rest) {
    d -= 1;
    s -= 1;
    asm volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(rest) : : "memory");
    d += 1;
    s += 1;
  }
  if (words) {
    d -= 8;
    s -= 8;
    asm volatile("std; rep movsq; cld" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
  }
  return dst;
}

extern "C" void* memset(void* dst, int c, size_t n) {
  void* d = dst;
  uint64_t pattern = static_cast<uint8_t>(c) * 0x0101010101010101ull;
  size_t words = n / 8, rest = n % 8;
  asm volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
  asm volatile("rep stosb" : "+D"(d), "+c"(rest) : "a"(pattern) : "memory");
  return dst;
}

extern "C" int memcmp(const void* a, const void* b, size_t n) {
  return klib::compare_bytes(a, b, n);
}

extern "C" size_t strlen(const char* s) {
  return strnlen(s, ~static_cast<size_t>(0));
}

// Bytes until s is 8-aligned, then aligned words (klib::zero_byte_mask): an aligned word
// never reaches into a page the string does not touch, though it may look past max. About
// 1 instruction a byte instead of 3 (under emulation each counts).
extern "C" size_t strnlen(const char* s, size_t max) {
  const char* p = s;
  for (; reinterpret_cast<uintptr_t>(p) & 7; ++p)
    if (static_cast<size_t>(p - s) >= max || !*p)
      return static_cast<size_t>(p - s);
  for (; static_cast<size_t>(p - s) < max; p += 8) {
    uint64_t zero = klib::zero_byte_mask(*reinterpret_cast<const uint64_t*>(p));
    if (zero) {
      size_t n = static_cast<size_t>(p - s) + static_cast<size_t>(__builtin_ctzll(zero) / 8);
      return n < max ? n : max;
    }
  }
  return max;
}

extern "C" int strcmp(const char* a, const char* b) {
  while (*a && *a == *b)
    ++a, ++b;
  return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

extern "C" int strncmp(const char* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i] || !a[i])
      return static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]);
  }
  return 0;
}

extern "C" char* strchr(const char* s, int c) {
  for (;; ++s) {
    if (*s == static_cast<char>(c))
      return const_cast<char*>(s);
    if (!*s)
      return nullptr;
  }
}
#endif

namespace klib {
// Eight bytes a step (the names of every path lookup are compared with it): the first
// differing byte of two unequal words is the lowest set byte of their XOR (little endian).
int compare_bytes(const void* a, const void* b, size_t n) {
  auto* x = static_cast<const unsigned char*>(a);
  auto* y = static_cast<const unsigned char*>(b);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t u, v;
    __builtin_memcpy(&u, x + i, 8);
    __builtin_memcpy(&v, y + i, 8);
    if (u != v) {
      i += static_cast<size_t>(__builtin_ctzll(u ^ v)) / 8;
      return x[i] < y[i] ? -1 : 1;
    }
  }
  for (; i < n; ++i)
    if (x[i] != y[i])
      return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strlcpy(char* dst, const char* src, size_t size) {
  size_t len = strlen(src);
  if (size) {
    size_t n = len < size - 1 ? len : size - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
  }
  return len;
}
} // namespace klib
