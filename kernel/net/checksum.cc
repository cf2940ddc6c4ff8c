#include "net/checksum.h"

namespace net {

namespace {

// Adds with the end-around carry (one's complement addition in 64 bits); compilers turn
// this into add/adc.
inline uint64_t add_carry(uint64_t a, uint64_t b) {
  a += b;
  return a + (a < b);
}

// The bytes at p[0..n) (n < 8) as a little-endian word padded with zero bytes.
inline uint64_t load_partial(const uint8_t* p, size_t n) {
  uint64_t w = 0;
  for (size_t i = 0; i < n; ++i)
    w |= uint64_t(p[i]) << (8 * i);
  return w;
}

inline uint64_t load_word(const uint8_t* p) {
  uint64_t w;
  __builtin_memcpy(&w, p, 8);
  return w;
}

inline void store_word(uint8_t* p, uint64_t w) {
  __builtin_memcpy(p, &w, 8);
}

// The one's complement sum of little-endian 16-bit words, turned into the big-endian sum
// the rest of this file keeps: RFC 1071 section 2(B) -- the sum of byte-swapped words is
// the byte-swapped sum, so one swap of the folded result is enough.
inline uint64_t to_big_endian_sum(uint64_t little) {
  uint16_t folded = checksum_fold(little);
  return static_cast<uint16_t>(folded << 8 | folded >> 8);
}

} // namespace

// Eight bytes per step, four steps per iteration: the sum is independent of word grouping
// and of byte order (RFC 1071 section 2(B)), so native 64-bit loads with the carry folded
// back give the same folded result as big-endian 16-bit words. This loop is most of what
// sending costs under an emulator that runs each guest instruction in software (TCG): a
// byte at a time it was a quarter of the kernel's instructions in a bulk transfer.
uint64_t checksum_partial(const void* data, size_t len, uint64_t sum) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t acc = 0;
  while (len >= 32) {
#if defined(__x86_64__)
    // One add-with-carry chain: five instructions for 32 bytes.
    asm("addq 0(%[p]), %[acc]\n\t"
        "adcq 8(%[p]), %[acc]\n\t"
        "adcq 16(%[p]), %[acc]\n\t"
        "adcq 24(%[p]), %[acc]\n\t"
        "adcq $0, %[acc]"
        : [acc] "+r"(acc)
        : [p] "r"(p), "m"(*reinterpret_cast<const uint8_t(*)[32]>(p))
        : "cc");
#else
    acc = add_carry(acc, load_word(p));
    acc = add_carry(acc, load_word(p + 8));
    acc = add_carry(acc, load_word(p + 16));
    acc = add_carry(acc, load_word(p + 24));
#endif
    p += 32;
    len -= 32;
  }
  while (len >= 8) {
    acc = add_carry(acc, load_word(p));
    p += 8;
    len -= 8;
  }
  // An odd last byte lands in the low half of a little-endian word: after the swap, the high
  // byte of a big-endian word padded with zero, as RFC 1071 pads.
  if (len)
    acc = add_carry(acc, load_partial(p, len));
  return sum + to_big_endian_sum(acc);
}

uint64_t checksum_copy(void* dst, const void* src, size_t len, uint64_t sum) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  uint64_t acc = 0;
  while (len >= 32) {
    uint64_t w0 = load_word(s), w1 = load_word(s + 8), w2 = load_word(s + 16),
             w3 = load_word(s + 24);
    store_word(d, w0);
    store_word(d + 8, w1);
    store_word(d + 16, w2);
    store_word(d + 24, w3);
#if defined(__x86_64__)
    asm("addq %[w0], %[acc]\n\t"
        "adcq %[w1], %[acc]\n\t"
        "adcq %[w2], %[acc]\n\t"
        "adcq %[w3], %[acc]\n\t"
        "adcq $0, %[acc]"
        : [acc] "+r"(acc)
        : [w0] "r"(w0), [w1] "r"(w1), [w2] "r"(w2), [w3] "r"(w3)
        : "cc");
#else
    acc = add_carry(acc, w0);
    acc = add_carry(acc, w1);
    acc = add_carry(acc, w2);
    acc = add_carry(acc, w3);
#endif
    s += 32;
    d += 32;
    len -= 32;
  }
  while (len >= 8) {
    uint64_t w = load_word(s);
    store_word(d, w);
    acc = add_carry(acc, w);
    s += 8;
    d += 8;
    len -= 8;
  }
  for (size_t i = 0; i < len; ++i)
    d[i] = s[i];
  if (len)
    acc = add_carry(acc, load_partial(s, len));
  return sum + to_big_endian_sum(acc);
}

uint16_t checksum_fold(uint64_t sum) {
  while (sum >> 16)
    sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

uint16_t internet_checksum(const void* data, size_t len) {
  return static_cast<uint16_t>(~checksum_fold(checksum_partial(data, len)));
}

uint64_t pseudo_header_ipv4(uint32_t src, uint32_t dst, uint8_t protocol, uint16_t length) {
  return uint64_t(src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + protocol + length;
}

uint16_t checksum_update16(uint16_t checksum, uint16_t old_value, uint16_t new_value) {
  uint64_t sum = uint16_t(~checksum);
  sum += uint16_t(~old_value);
  sum += new_value;
  return static_cast<uint16_t>(~checksum_fold(sum));
}

uint16_t checksum_update32(uint16_t checksum, uint32_t old_value, uint32_t new_value) {
  checksum = checksum_update16(checksum, uint16_t(old_value >> 16), uint16_t(new_value >> 16));
  return checksum_update16(checksum, uint16_t(old_value), uint16_t(new_value));
}

void Checksum::add(const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  if (len == 0)
    return;
  if (odd_) {
    sum_ += p[0]; // the low byte of the word the previous piece started
    ++p;
    --len;
    odd_ = false;
  }
  sum_ = checksum_partial(p, len, sum_);
  odd_ = (len & 1) != 0;
}

} // namespace net
