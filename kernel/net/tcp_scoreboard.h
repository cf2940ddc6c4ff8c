// The sender's SACK scoreboard (RFC 6675 section 3): which ranges above SND.UNA the peer
// reported holding. Recovery retransmits the holes between them and counts the SACKed bytes
// as no longer in flight.
#pragma once

#include "net/tcp_header.h"
#include "net/tcp_seq.h"

#include <stddef.h>

namespace net::tcp {

class Scoreboard {
public:
  static constexpr int kMaxBlocks = 32;

  void clear() { count_ = 0; }
  bool empty() const { return count_ == 0; }
  // Records a block the peer reported, if it lies within (snd_una, snd_max]. Returns true
  // when it told us something new.
  bool add(SackBlock b, Seq snd_una, Seq snd_max);
  // SND.UNA advanced: forget everything below it.
  void advance(Seq snd_una);

  // The highest SACKed sequence number (one past the block's end); snd_una when empty.
  Seq high(Seq snd_una) const { return count_ ? blocks_[count_ - 1].end : snd_una; }
  size_t sacked_bytes() const;
  // SACKed bytes within [from, to).
  size_t sacked_between(Seq from, Seq to) const;
  // The SACKed block containing seq (its end), or seq itself when none does.
  Seq skip_sacked(Seq seq) const;
  // The first byte at or after seq that is SACKed (or `limit` when none below it).
  Seq next_sacked(Seq seq, Seq limit) const;

private:
  SackBlock blocks_[kMaxBlocks] = {}; // sorted, disjoint
  int count_ = 0;
};

} // namespace net::tcp
