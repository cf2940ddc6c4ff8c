#include "unix/fd/fd_bitmap.h"

namespace unix {

void FdBitmap::set(int fd) {
  int w = fd / 64;
  used_[w] |= 1ull << (fd % 64);
  if (used_[w] == ~0ull)
    full_[w / 64] |= 1ull << (w % 64);
}

void FdBitmap::clear(int fd) {
  int w = fd / 64;
  used_[w] &= ~(1ull << (fd % 64));
  full_[w / 64] &= ~(1ull << (w % 64));
}

int FdBitmap::lowest_free(int from) const {
  if (from < 0)
    from = 0;
  if (from >= kFdCapacity)
    return -1;
  int w = from / 64;
  uint64_t free_bits = ~used_[w] & (~0ull << (from % 64));
  if (free_bits)
    return w * 64 + __builtin_ctzll(free_bits);
  // The first word after w that is not full, found through the summary.
  for (int next = w + 1; next < kWords;) {
    int s = next / 64;
    uint64_t not_full = ~full_[s] & (~0ull << (next % 64));
    if (not_full) {
      int word = s * 64 + __builtin_ctzll(not_full);
      return word * 64 + __builtin_ctzll(~used_[word]);
    }
    next = (s + 1) * 64;
  }
  return -1;
}

int FdBitmap::next_used(int from) const {
  if (from < 0)
    from = 0;
  for (int w = from / 64; w < kWords; ++w) {
    uint64_t bits = used_[w];
    if (w == from / 64)
      bits &= ~0ull << (from % 64);
    if (bits)
      return w * 64 + __builtin_ctzll(bits);
  }
  return -1;
}

} // namespace unix
