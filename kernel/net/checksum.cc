#include "net/checksum.h"

namespace net {

uint64_t checksum_partial(const void* data, size_t len, uint64_t sum) {
  const auto* p = static_cast<const uint8_t*>(data);
  // Four bytes at a time: the one's complement sum is independent of word grouping
  // (RFC 1071 section 2(B)), so 32-bit big-endian words added into 64 bits fold to the same
  // 16-bit result as 16-bit words.
  while (len >= 4) {
    sum += (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
    p += 4;
    len -= 4;
  }
  if (len >= 2) {
    sum += (uint32_t(p[0]) << 8) | p[1];
    p += 2;
    len -= 2;
  }
  if (len)
    sum += uint32_t(p[0]) << 8;
  return sum;
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
