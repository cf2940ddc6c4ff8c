#include "net/tcp_scoreboard.h"

namespace net::tcp {

bool Scoreboard::add(SackBlock b, Seq snd_una, Seq snd_max) {
  if (!seq_lt(b.start, b.end))
    return false;
  // RFC 2018: blocks at or below SND.UNA are stale (D-SACK or old), above SND.MAX bogus.
  if (seq_le(b.end, snd_una) || seq_gt(b.end, snd_max))
    return false;
  if (seq_lt(b.start, snd_una))
    b.start = snd_una;
  int i = 0;
  while (i < count_ && seq_lt(blocks_[i].end, b.start))
    ++i;
  int j = i;
  Seq start = b.start, end = b.end;
  while (j < count_ && seq_le(blocks_[j].start, end)) {
    start = seq_min(start, blocks_[j].start);
    end = seq_max(end, blocks_[j].end);
    ++j;
  }
  if (j == i + 1 && blocks_[i].start == start && blocks_[i].end == end)
    return false; // already known
  if (i == j) {
    if (count_ == kMaxBlocks)
      return false; // full: recovery still works, only less precisely
    for (int k = count_; k > i; --k)
      blocks_[k] = blocks_[k - 1];
    ++count_;
  } else {
    for (int k = j; k < count_; ++k)
      blocks_[i + 1 + (k - j)] = blocks_[k];
    count_ -= j - i - 1;
  }
  blocks_[i] = {start, end};
  return true;
}

void Scoreboard::advance(Seq snd_una) {
  int keep = 0;
  for (int i = 0; i < count_; ++i) {
    if (seq_le(blocks_[i].end, snd_una))
      continue;
    SackBlock b = blocks_[i];
    if (seq_lt(b.start, snd_una))
      b.start = snd_una;
    blocks_[keep++] = b;
  }
  count_ = keep;
}

size_t Scoreboard::sacked_bytes() const {
  size_t n = 0;
  for (int i = 0; i < count_; ++i)
    n += static_cast<size_t>(seq_diff(blocks_[i].end, blocks_[i].start));
  return n;
}

size_t Scoreboard::sacked_between(Seq from, Seq to) const {
  size_t n = 0;
  for (int i = 0; i < count_; ++i) {
    Seq s = seq_max(blocks_[i].start, from);
    Seq e = seq_min(blocks_[i].end, to);
    if (seq_lt(s, e))
      n += static_cast<size_t>(seq_diff(e, s));
  }
  return n;
}

Seq Scoreboard::skip_sacked(Seq seq) const {
  for (int i = 0; i < count_; ++i)
    if (seq_le(blocks_[i].start, seq) && seq_lt(seq, blocks_[i].end))
      return blocks_[i].end;
  return seq;
}

Seq Scoreboard::next_sacked(Seq seq, Seq limit) const {
  for (int i = 0; i < count_; ++i)
    if (seq_gt(blocks_[i].end, seq))
      return seq_min(seq_max(blocks_[i].start, seq), limit);
  return limit;
}

} // namespace net::tcp
