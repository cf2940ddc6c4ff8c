/* 32.32 fixed-point helpers for the clock conversions, without 128-bit division (none in
 * freestanding code). Plain C as well as C++: the vDSO (vdso/vdso.c) computes the clocks
 * with the same arithmetic as the kernel. */
#pragma once

#include <stdint.h>

/* (a * mul) >> 32, exact as long as the result fits in 64 bits. */
static inline uint64_t mul_shift32(uint64_t a, uint64_t mul) {
  uint64_t hi = a >> 32, lo = a & 0xFFFFFFFF;
  return hi * mul + ((lo * (mul & 0xFFFFFFFF)) >> 32) + lo * (mul >> 32);
}

/* (num << 32) / den, for den < 2^32. */
static inline uint64_t ratio_q32(uint64_t num, uint64_t den) {
  return (num / den << 32) + ((num % den) << 32) / den;
}
