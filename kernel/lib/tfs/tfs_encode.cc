#include "lib/tfs/tfs_encode.h"

namespace tfs {
namespace {
// Number of 7-bit groups after the first `first_bits` bits hold `value` (0 if it fits).
unsigned groups_after(uint64_t value, unsigned first_bits) {
  unsigned n = 0;
  for (value >>= first_bits; value; value >>= 7)
    ++n;
  return n;
}
} // namespace

size_t encode_varint(uint64_t value, uint8_t out[kMaxVarintBytes]) {
  unsigned extra = groups_after(value, 7); // groups before the last one
  for (unsigned i = 0; i < extra; ++i)
    out[i] = static_cast<uint8_t>(0x80 | ((value >> (7 * (extra - i))) & 0x7F));
  out[extra] = static_cast<uint8_t>(value & 0x7F);
  return extra + 1;
}

size_t encode_header(bool immediate, unsigned type, uint64_t length, uint8_t out[kMaxHeaderBytes]) {
  uint8_t first = static_cast<uint8_t>((immediate ? 0x80 : 0) | ((type & 7) << 4));
  unsigned words = groups_after(length, 3);
  if (words == 0) {
    out[0] = static_cast<uint8_t>(first | length);
    return 1;
  }
  out[0] = static_cast<uint8_t>(first | 0x08 | (length >> (7 * words)));
  for (unsigned w = words; w-- > 0;) {
    uint8_t group = static_cast<uint8_t>((length >> (7 * w)) & 0x7F);
    out[words - w] = w ? static_cast<uint8_t>(group | 0x80) : group;
  }
  return words + 1;
}

} // namespace tfs
