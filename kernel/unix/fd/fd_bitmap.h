// Which descriptor numbers are in use, with a summary level so that "the lowest free number
// >= n" costs a few word scans instead of a walk over every descriptor: a busy server holds
// tens of thousands, and every open/socket/accept asks.
//
//   used_[w]  bit b: descriptor 64*w + b is in use
//   full_[s]  bit b: used_[64*s + b] is all ones (no free descriptor in that word)
//
// With kFdCapacity = 65536 that is 1024 words and 16 summary words: a search reads at most
// one word of used_, 16 of full_ and one more of used_.
#pragma once

#include <stdint.h>

namespace unix {

constexpr int kFdCapacity = 65536;

class FdBitmap {
public:
  static constexpr int kWords = kFdCapacity / 64;
  static constexpr int kSummaryWords = (kWords + 63) / 64;

  bool test(int fd) const { return used_[fd / 64] >> (fd % 64) & 1; }
  void set(int fd);
  void clear(int fd);
  // The lowest clear bit >= from, or -1 when every one from there up is set.
  int lowest_free(int from) const;
  // The lowest set bit >= from, or -1 (walks the open descriptors in order).
  int next_used(int from) const;

private:
  uint64_t used_[kWords] = {};
  uint64_t full_[kSummaryWords] = {};
};

} // namespace unix
