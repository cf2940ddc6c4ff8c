// The C string/memory functions the compiler may call, plus a few freestanding helpers.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifndef KERNEL_HOST_BUILD
extern "C" {
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
char* strchr(const char* s, int c);
}
#else
#include <string.h>
#endif

namespace klib {
// Non-zero exactly when the 8 bytes of w include a zero byte; the lowest set bit (a 0x80)
// marks the first one. Word-at-a-time scans use it: under emulation each instruction counts.
inline uint64_t zero_byte_mask(uint64_t w) {
  return (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
}
// memcmp's result sign for a[0..n) against b[0..n) (-1, 0 or 1), a word at a time; memcmp
// is this.
int compare_bytes(const void* a, const void* b, size_t n);
// Copies at most size-1 bytes and always NUL-terminates (size > 0). Returns strlen(src).
size_t strlcpy(char* dst, const char* src, size_t size);
} // namespace klib
