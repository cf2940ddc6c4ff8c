// TCP sequence-number arithmetic (RFC 9293 section 3.4): 32-bit numbers that wrap, compared
// by the sign of their difference, so "a before b" stays true across the wrap as long as the
// two are less than 2^31 apart (windows are far smaller than that).
#pragma once

#include <stdint.h>

namespace net::tcp {

using Seq = uint32_t;

inline int32_t seq_diff(Seq a, Seq b) {
  return static_cast<int32_t>(a - b);
}
inline bool seq_lt(Seq a, Seq b) {
  return seq_diff(a, b) < 0;
}
inline bool seq_le(Seq a, Seq b) {
  return seq_diff(a, b) <= 0;
}
inline bool seq_gt(Seq a, Seq b) {
  return seq_diff(a, b) > 0;
}
inline bool seq_ge(Seq a, Seq b) {
  return seq_diff(a, b) >= 0;
}
inline Seq seq_max(Seq a, Seq b) {
  return seq_gt(a, b) ? a : b;
}
inline Seq seq_min(Seq a, Seq b) {
  return seq_lt(a, b) ? a : b;
}
// lo <= x < hi in sequence space.
inline bool seq_in(Seq x, Seq lo, Seq hi) {
  return seq_le(lo, x) && seq_lt(x, hi);
}

} // namespace net::tcp
