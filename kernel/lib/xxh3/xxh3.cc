#include "lib/xxh3/xxh3.h"

namespace xxh3 {
namespace {

constexpr uint64_t kPrime32_1 = 0x9E3779B1u;
constexpr uint64_t kPrime32_2 = 0x85EBCA77u;
constexpr uint64_t kPrime32_3 = 0xC2B2AE3Du;
constexpr uint64_t kPrime64_1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t kPrime64_2 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t kPrime64_3 = 0x165667B19E3779F9ull;
constexpr uint64_t kPrime64_4 = 0x85EBCA77C2B2AE63ull;
constexpr uint64_t kPrime64_5 = 0x27D4EB2F165667C5ull;
constexpr uint64_t kPrimeMx1 = 0x165667919E3779F9ull;
constexpr uint64_t kPrimeMx2 = 0x9FB21C651E98DF25ull;

// The specification's default secret (192 bytes).
constexpr size_t kSecretSize = 192;
constexpr uint8_t kSecret[kSecretSize] = {
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
    0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
    0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
    0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
    0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
    0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
    0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
    0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
    0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
    0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
    0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
};

// Secret offsets the large-input algorithm uses with the default secret.
constexpr size_t kStripesPerBlock = (kSecretSize - 64) / 8; // 16
constexpr size_t kScrambleOffset = kSecretSize - 64;        // 128
constexpr size_t kLastStripeOffset = kSecretSize - 71;      // 121
constexpr size_t kMergeLowOffset = 11;
constexpr size_t kMergeHighOffset = kSecretSize - 75; // 117

// Inputs and the secret are read as little-endian words (the host is little-endian).
inline uint64_t read64(const uint8_t* p) {
  uint64_t v;
  __builtin_memcpy(&v, p, 8);
  return v;
}
inline uint32_t read32(const uint8_t* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}
inline void copy_bytes(uint8_t* to, const uint8_t* from, size_t n) {
  for (size_t i = 0; i < n; ++i) // the kernel is built with -fno-builtin: no memcpy call
    to[i] = from[i];
}

struct Product {
  uint64_t low, high;
};
// 64x64 -> 128-bit product (one MUL on x86-64); __extension__ keeps -Wpedantic quiet.
__extension__ typedef unsigned __int128 U128;
inline Product multiply(uint64_t a, uint64_t b) {
  U128 p = static_cast<U128>(a) * b;
  return {static_cast<uint64_t>(p), static_cast<uint64_t>(p >> 64)};
}
inline uint64_t fold(uint64_t a, uint64_t b) {
  Product p = multiply(a, b);
  return p.low ^ p.high;
}

inline uint64_t avalanche(uint64_t x) {
  x ^= x >> 37;
  x *= kPrimeMx1;
  return x ^ (x >> 32);
}
inline uint64_t avalanche_xxh64(uint64_t x) {
  x ^= x >> 33;
  x *= kPrime64_2;
  x ^= x >> 29;
  x *= kPrime64_3;
  return x ^ (x >> 32);
}
inline uint32_t rotate_left32(uint32_t x, int r) {
  return (x << r) | (x >> (32 - r));
}

// ---- 0 to 16 bytes ----
Hash128 hash_empty() {
  return {avalanche_xxh64(read64(kSecret + 64) ^ read64(kSecret + 72)),
          avalanche_xxh64(read64(kSecret + 80) ^ read64(kSecret + 88))};
}

Hash128 hash_1to3(const uint8_t* p, size_t len) {
  // last byte | length | first byte | middle byte, least significant first
  uint32_t combined = static_cast<uint32_t>(p[len - 1]) | static_cast<uint32_t>(len) << 8 |
                      static_cast<uint32_t>(p[0]) << 16 | static_cast<uint32_t>(p[len >> 1]) << 24;
  uint64_t low = static_cast<uint64_t>(read32(kSecret) ^ read32(kSecret + 4)) ^ combined;
  uint64_t high = static_cast<uint64_t>(read32(kSecret + 8) ^ read32(kSecret + 12)) ^
                  rotate_left32(__builtin_bswap32(combined), 13);
  return {avalanche_xxh64(low), avalanche_xxh64(high)};
}

Hash128 hash_4to8(const uint8_t* p, size_t len) {
  uint64_t first = read32(p);
  uint64_t last = read32(p + len - 4);
  uint64_t value = (read64(kSecret + 16) ^ read64(kSecret + 24)) ^ (first | last << 32);
  Product m = multiply(value, kPrime64_1 + (static_cast<uint64_t>(len) << 2));
  uint64_t high = m.high + (m.low << 1);
  uint64_t low = m.low ^ (high >> 3);
  low ^= low >> 35;
  low *= kPrimeMx2;
  low ^= low >> 28;
  return {low, avalanche(high)};
}

Hash128 hash_9to16(const uint8_t* p, size_t len) {
  uint64_t first = read64(p);
  uint64_t last = read64(p + len - 8);
  uint64_t v1 = (read64(kSecret + 32) ^ read64(kSecret + 40)) ^ first ^ last;
  uint64_t v2 = (read64(kSecret + 48) ^ read64(kSecret + 56)) ^ last;
  Product m = multiply(v1, kPrime64_1);
  uint64_t low = m.low + (static_cast<uint64_t>(len - 1) << 54);
  uint64_t high = m.high + (v2 >> 32 << 32) + (v2 & 0xFFFFFFFFu) * kPrime32_2;
  low ^= __builtin_bswap64(high);
  // {low, high} * PRIME64_2 as a 128-bit product
  Product m2 = multiply(low, kPrime64_2);
  low = m2.low;
  high = m2.high + high * kPrime64_2;
  return {avalanche(low), avalanche(high)};
}

// ---- 17 to 240 bytes ----
inline uint64_t mix16(const uint8_t* data, const uint8_t* secret, uint64_t seed) {
  return fold(read64(data) ^ (read64(secret) + seed),
              read64(data + 8) ^ (read64(secret + 8) - seed));
}

struct Pair {
  uint64_t a = 0, b = 0;
};
inline void mix_two_chunks(Pair& acc, const uint8_t* d1, const uint8_t* d2, size_t secret_offset,
                           uint64_t seed) {
  acc.a += mix16(d1, kSecret + secret_offset, seed);
  acc.b += mix16(d2, kSecret + secret_offset + 16, seed);
  acc.a ^= read64(d2) + read64(d2 + 8);
  acc.b ^= read64(d1) + read64(d1 + 8);
}

Hash128 hash_17to240(const uint8_t* p, size_t len) {
  Pair acc;
  acc.a = len * kPrime64_1;
  if (len <= 128) {
    // N chunks from the front paired with N from the back, the innermost pair first
    size_t rounds = ((len - 1) >> 5) + 1;
    for (size_t i = rounds; i-- > 0;)
      mix_two_chunks(acc, p + i * 16, p + len - i * 16 - 16, i * 32, 0);
  } else {
    size_t chunks = len >> 5;
    for (size_t i = 0; i < 4; ++i)
      mix_two_chunks(acc, p + i * 32, p + i * 32 + 16, i * 32, 0);
    acc.a = avalanche(acc.a);
    acc.b = avalanche(acc.b);
    for (size_t i = 4; i < chunks; ++i)
      mix_two_chunks(acc, p + i * 32, p + i * 32 + 16, (i - 4) * 32 + 3, 0);
    // the last 32 bytes, halves swapped, with the negated seed (0 here)
    mix_two_chunks(acc, p + len - 16, p + len - 32, 103, 0);
  }
  uint64_t low = acc.a + acc.b;
  uint64_t high = acc.a * kPrime64_1 + acc.b * kPrime64_4 + static_cast<uint64_t>(len) * kPrime64_2;
  return {avalanche(low), 0 - avalanche(high)};
}

Hash128 hash_short(const uint8_t* p, size_t len) {
  if (len == 0)
    return hash_empty();
  if (len <= 3)
    return hash_1to3(p, len);
  if (len <= 8)
    return hash_4to8(p, len);
  if (len <= 16)
    return hash_9to16(p, len);
  return hash_17to240(p, len);
}

// ---- more than 240 bytes: eight accumulators, 64-byte stripes, 1024-byte blocks ----
struct Accumulators {
  uint64_t lane[8];
  void init() {
    const uint64_t start[8] = {kPrime32_3, kPrime64_1, kPrime64_2, kPrime64_3,
                               kPrime64_4, kPrime32_2, kPrime64_5, kPrime32_1};
    for (int i = 0; i < 8; ++i)
      lane[i] = start[i];
  }
  void accumulate(const uint8_t* stripe, size_t secret_offset) {
    for (int i = 0; i < 8; ++i) {
      uint64_t value = read64(stripe + 8 * i);
      uint64_t keyed = value ^ read64(kSecret + secret_offset + 8 * i);
      lane[i ^ 1] += value;
      lane[i] += (keyed & 0xFFFFFFFFu) * (keyed >> 32);
    }
  }
  void scramble() {
    for (int i = 0; i < 8; ++i) {
      uint64_t a = lane[i];
      a ^= a >> 47;
      a ^= read64(kSecret + kScrambleOffset + 8 * i);
      lane[i] = a * kPrime32_1;
    }
  }
  void round(const uint8_t* block) {
    for (size_t n = 0; n < kStripesPerBlock; ++n)
      accumulate(block + n * 64, n * 8);
    scramble();
  }
  // The last (possibly partial, never empty) block and the input's last 64 bytes.
  void last_round(const uint8_t* block, size_t len, const uint8_t* last_stripe) {
    size_t full = (len - 1) / 64;
    for (size_t n = 0; n < full; ++n)
      accumulate(block + n * 64, n * 8);
    accumulate(last_stripe, kLastStripeOffset);
  }
  uint64_t merge(uint64_t start, size_t secret_offset) const {
    uint64_t result = start;
    for (int i = 0; i < 4; ++i)
      result += fold(lane[2 * i] ^ read64(kSecret + secret_offset + 16 * i),
                     lane[2 * i + 1] ^ read64(kSecret + secret_offset + 16 * i + 8));
    return avalanche(result);
  }
  Hash128 finish(uint64_t total) const {
    return {merge(total * kPrime64_1, kMergeLowOffset),
            merge(~(total * kPrime64_2), kMergeHighOffset)};
  }
};

constexpr size_t kShortLimit = 240;

} // namespace

Hash128 hash128(const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  if (len <= kShortLimit)
    return hash_short(p, len);
  Accumulators acc;
  acc.init();
  size_t done = 0;
  while (len - done > Hasher128::kBlock) { // the last block is kept even when it is full
    acc.round(p + done);
    done += Hasher128::kBlock;
  }
  acc.last_round(p + done, len - done, p + len - 64);
  return acc.finish(len);
}

void Hasher128::reset() {
  Accumulators a;
  a.init();
  for (int i = 0; i < 8; ++i)
    acc_[i] = a.lane[i];
  buffered_ = 0;
  total_ = 0;
}

void Hasher128::update(const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  total_ += len;
  Accumulators acc;
  for (int i = 0; i < 8; ++i)
    acc.lane[i] = acc_[i];
  // A block is mixed only once more input is known to follow: the final block goes through
  // last_round instead (as in the one-shot form).
  if (buffered_ > 0) {
    size_t take = kBlock - buffered_ < len ? kBlock - buffered_ : len;
    copy_bytes(buffer_ + buffered_, p, take);
    buffered_ += take;
    p += take;
    len -= take;
    if (len == 0)
      return; // accumulators unchanged
    acc.round(buffer_);
    copy_bytes(last_tail_, buffer_ + kBlock - kStripe, kStripe);
    buffered_ = 0;
  }
  bool mixed_here = false;
  while (len > kBlock) {
    acc.round(p);
    p += kBlock;
    len -= kBlock;
    mixed_here = true;
  }
  if (mixed_here)
    copy_bytes(last_tail_, p - kStripe, kStripe);
  copy_bytes(buffer_, p, len);
  buffered_ = len;
  for (int i = 0; i < 8; ++i)
    acc_[i] = acc.lane[i];
}

Hash128 Hasher128::digest() const {
  if (total_ <= kShortLimit)
    return hash_short(buffer_, static_cast<size_t>(total_)); // never mixed: all buffered
  Accumulators acc;
  for (int i = 0; i < 8; ++i)
    acc.lane[i] = acc_[i];
  // The last stripe is the input's last 64 bytes: partly in the block mixed before when
  // fewer than 64 bytes are buffered.
  uint8_t last[kStripe];
  if (buffered_ >= kStripe) {
    copy_bytes(last, buffer_ + buffered_ - kStripe, kStripe);
  } else {
    copy_bytes(last, last_tail_ + buffered_, kStripe - buffered_);
    copy_bytes(last + kStripe - buffered_, buffer_, buffered_);
  }
  acc.last_round(buffer_, buffered_, last);
  return acc.finish(total_);
}

void to_hex(const Hash128& h, char out[kHexLength + 1]) {
  static const char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    out[i] = kDigits[(h.high >> (60 - 4 * i)) & 15];
    out[16 + i] = kDigits[(h.low >> (60 - 4 * i)) & 15];
  }
  out[kHexLength] = 0;
}

bool from_hex(const char* text, size_t len, Hash128* out) {
  if (len != kHexLength)
    return false;
  uint64_t halves[2] = {0, 0};
  for (size_t i = 0; i < kHexLength; ++i) {
    char c = text[i];
    uint64_t d;
    if (c >= '0' && c <= '9')
      d = static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = static_cast<uint64_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      d = static_cast<uint64_t>(c - 'A' + 10);
    else
      return false;
    halves[i / 16] = halves[i / 16] << 4 | d;
  }
  out->high = halves[0];
  out->low = halves[1];
  return true;
}

} // namespace xxh3
