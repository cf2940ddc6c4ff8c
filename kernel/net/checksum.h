// The internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum
// of a byte string taken as big-endian 16-bit words (an odd last byte is padded with a zero
// byte). IPv4, ICMP, UDP and TCP all use it. Values here are numbers, not byte images: a
// checksum is stored into a header with big-endian byte order (net/bytes.h put_be16).
//
//   uint16_t c = net::internet_checksum(header, 20);           // whole buffer
//   net::Checksum sum;                                         // pieces of any length,
//   sum.add_pseudo_header_ipv4(src, dst, 17, udp_len);         // e.g. a chained packet
//   sum.add(part1, n1); sum.add(part2, n2);
//   uint16_t c = sum.finish();
//
// A header that already holds a correct checksum sums (checksum included) to 0xFFFF, so
// `verify` over it finishes as 0.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace net {

// The 32-bit-wide one's complement sum of `len` bytes at `data` added to `sum`, not folded
// and not complemented. `len` may be odd: the last byte counts as the high byte of a word.
// Sums of at most 2^30 bytes cannot overflow the 64-bit accumulator.
uint64_t checksum_partial(const void* data, size_t len, uint64_t sum = 0);

// Copies `len` bytes from src to dst and returns checksum_partial(src, len, sum): one pass
// over the bytes instead of a copy and a sum (the transmit path copies payload into a
// packet and needs its sum unless the NIC computes it).
uint64_t checksum_copy(void* dst, const void* src, size_t len, uint64_t sum = 0);

// Folds a wide sum to 16 bits (end-around carry), not complemented.
uint16_t checksum_fold(uint64_t sum);

// The checksum to store for `len` bytes (folded and complemented).
uint16_t internet_checksum(const void* data, size_t len);

// The sum of the IPv4 pseudo-header (RFC 768 / RFC 793): source and destination addresses
// (host-order numbers), a zero byte, the protocol and the transport length.
uint64_t pseudo_header_ipv4(uint32_t src, uint32_t dst, uint8_t protocol, uint16_t length);

// RFC 1624 incremental update: the new checksum of a header whose 16-bit field changed from
// old_value to new_value, without summing the header again (e.g. a TTL decrement or a
// rewritten port). Eqn. 3: HC' = ~(~HC + ~m + m').
uint16_t checksum_update16(uint16_t checksum, uint16_t old_value, uint16_t new_value);
// The same for a 32-bit field (an address): two 16-bit updates.
uint16_t checksum_update32(uint16_t checksum, uint32_t old_value, uint32_t new_value);

// An accumulator over any number of pieces; pieces of odd length are handled (the next
// piece's first byte is the low byte of the straddling word), so a chained packet sums the
// same as its contiguous copy.
class Checksum {
public:
  void add(const void* data, size_t len);
  void add_pseudo_header_ipv4(uint32_t src, uint32_t dst, uint8_t protocol, uint16_t length) {
    sum_ += pseudo_header_ipv4(src, dst, protocol, length);
  }
  // A 16-bit number as its two big-endian bytes (correct at any offset).
  void add_u16(uint16_t value) {
    uint8_t be[2] = {uint8_t(value >> 8), uint8_t(value)};
    add(be, 2);
  }
  // The value to store (folded, complemented). A transmitted UDP checksum of 0 means
  // "none": UDP callers turn 0 into 0xFFFF (RFC 768).
  uint16_t finish() const { return static_cast<uint16_t>(~checksum_fold(sum_)); }
  // The folded sum; 0xFFFF when the data (with its checksum field) is intact.
  uint16_t folded() const { return checksum_fold(sum_); }
  bool verifies() const { return folded() == 0xFFFF; }

private:
  uint64_t sum_ = 0;
  bool odd_ = false; // an odd number of bytes so far: the next byte is a low byte
};

} // namespace net
