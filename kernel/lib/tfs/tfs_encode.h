// TFS encoding primitives (spec §3.3), shared by the image writer (nanos-mkimage build) and
// anything else that writes logs. Freestanding like tfs.h: only <stddef.h>/<stdint.h>.
// Each function writes into a caller buffer and returns the number of bytes written.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace tfs {

// Value types in the v5 header's TTT bits (spec §3.3).
enum : unsigned {
  kTypeBuffer = 0, // symbols (attribute names), the null flag, "delete" (len 0)
  kTypeTuple = 1,
  kTypeVector = 2,
  kTypeInteger = 3,
  kTypeString = 4,
};

constexpr size_t kMaxVarintBytes = 10; // 64 bits in 7-bit groups
constexpr size_t kMaxHeaderBytes = 10; // 3 bits in the first byte + 9 groups of 7

// Big-endian base-128: most significant group first, bit 7 set on all but the last byte.
// 0 -> 00, 128 -> 81 00, 1024 -> 88 00.
size_t encode_varint(uint64_t value, uint8_t out[kMaxVarintBytes]);

// A v5 value header `I TTT E LLL` with the fewest length bytes: lengths 0-7 fit in the first
// byte; otherwise the first byte carries the top bits and continuation bytes follow.
// (immediate, kTypeBuffer, 8) -> 88 08; (reference, kTypeBuffer, 24) -> 08 18.
size_t encode_header(bool immediate, unsigned type, uint64_t length, uint8_t out[kMaxHeaderBytes]);

} // namespace tfs
