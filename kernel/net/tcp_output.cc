// What to send and when: the segment builder, the send loop with Nagle (RFC 9293 3.7.4)
// and sender-side silly window avoidance, loss-recovery retransmissions bounded by the pipe
// estimate (RFC 6675), the receive window we offer (receiver SWS avoidance, auto-tuning) and
// delayed ACKs (RFC 9293 3.8.6.3, RFC 5681 4.2).
#include "lib/string.h"
#include "net/tcp_connection.h"
#include "net/tcp_stack.h"

namespace net::tcp {
namespace {
size_t min_size(size_t a, size_t b) {
  return a < b ? a : b;
}
} // namespace

uint16_t Connection::window_to_advertise() {
  size_t free = recv_buf_.free_space();
  Seq right = rcv_nxt_ + static_cast<Seq>(free);
  // Receiver SWS avoidance (RFC 9293 3.8.6.2.2): move the right edge only in steps of at
  // least min(buffer / 2, MSS).
  if (seq_gt(right, rcv_adv_) && seq_ge(rcv_adv_, rcv_nxt_) &&
      static_cast<size_t>(seq_diff(right, rcv_adv_)) <
          min_size(recv_buf_.capacity() / 2, send_mss_))
    right = rcv_adv_;
  size_t wnd = seq_gt(right, rcv_nxt_) ? static_cast<size_t>(seq_diff(right, rcv_nxt_)) : 0;
  size_t field = wnd >> rcv_wscale_;
  if (field > 65535)
    field = 65535;
  Seq edge = rcv_nxt_ + static_cast<Seq>(field << rcv_wscale_);
  if (seq_gt(edge, rcv_adv_))
    rcv_adv_ = edge;
  return static_cast<uint16_t>(field);
}

void Connection::fill_options(Header& h, uint8_t flags) {
  if (ts_enabled_ && !(flags & kRst)) {
    h.options.has_timestamps = true;
    h.options.ts_val = ts_now();
    h.options.ts_ecr = ts_recent_;
  }
  if (sack_enabled_ && (flags & kAck) && recv_buf_.has_out_of_order()) {
    int room = ts_enabled_ ? 3 : 4;
    h.options.sack_count = recv_buf_.sack_blocks(h.options.sack, room);
  }
}

void Connection::emit(Seq seq, uint8_t flags, size_t data_len) {
  Header h;
  h.src_port = local_.port;
  h.dst_port = remote_.port;
  h.seq = seq;
  h.flags = flags;
  if (flags & kAck) {
    h.ack = rcv_nxt_;
    h.window = window_to_advertise();
  }
  fill_options(h, flags);
  uint8_t* frame = stack_.frame_buffer();
  Segment segment;
  segment.head = frame;
  segment.head_len = write_header(frame, h);
  // The payload goes from the send buffer straight into the outgoing packet (one copy).
  if (data_len > 0)
    send_buf_.view(static_cast<size_t>(seq_diff(seq, snd_buf_seq_)), data_len, segment.payload,
                   segment.payload_len);
  stack_.link().send(local_.addr, remote_.addr, segment, send_mss_);
  if (flags & kAck) {
    last_ack_sent_ = rcv_nxt_;
    delack_deadline_ = 0;
    unacked_segments_ = 0;
  }
}

void Connection::send_syn(bool with_ack) {
  // Our SYN offers what the configuration allows; a SYN-ACK only what the peer offered too.
  bool offering = state_ == State::SynSent;
  Header h;
  h.src_port = local_.port;
  h.dst_port = remote_.port;
  h.seq = iss_;
  h.flags = kSyn;
  size_t free = recv_buf_.free_space();
  h.window = static_cast<uint16_t>(free > 65535 ? 65535 : free); // never scaled in a SYN
  if (with_ack) {
    h.flags |= kAck;
    h.ack = rcv_nxt_;
  }
  Options& o = h.options;
  o.has_mss = true;
  o.mss = stack_.link().mss_for(remote_.addr);
  if (offering ? config_.window_scaling : ws_enabled_) {
    o.has_wscale = true;
    o.wscale = rcv_wscale_;
  }
  o.sack_permitted = offering ? config_.sack : sack_enabled_;
  if (offering ? config_.timestamps : ts_enabled_) {
    o.has_timestamps = true;
    o.ts_val = ts_now();
    o.ts_ecr = with_ack ? ts_recent_ : 0;
  }
  uint8_t* frame = stack_.frame_buffer();
  size_t n = write_header(frame, h);
  stack_.link().send_segment(local_.addr, remote_.addr, frame, n);
  if (with_ack) {
    last_ack_sent_ = rcv_nxt_;
    rcv_adv_ = rcv_nxt_ + h.window;
  }
  snd_nxt_ = iss_ + 1;
  snd_max_ = seq_max(snd_max_, snd_nxt_);
  uint64_t now = now_us();
  if (retries_ == 0) { // Karn: only an unrepeated SYN can be timed
    rtt_timing_ = true;
    rtt_seq_ = iss_;
    rtt_start_us_ = now;
  } else {
    rtt_timing_ = false;
  }
  arm_retransmit(now);
}

void Connection::send_ack() {
  // SND.MAX, not the send pointer: after a timeout snd_nxt_ moves back for go-back-N, and an
  // ACK numbered below what the peer already holds would be unacceptable to it (answered by
  // an ACK of its own, which would be just as unacceptable to us: a storm).
  emit(snd_max_, kAck, 0);
}

void Connection::send_rst(Seq seq) {
  emit(seq, kRst, 0);
}

void Connection::schedule_ack(bool immediate) {
  // RFC 5681 4.2: ACK at least every second full-sized segment, and within the delay.
  if (immediate || ++unacked_segments_ >= 2) {
    send_ack();
    return;
  }
  if (delack_deadline_ == 0)
    delack_deadline_ = now_us() + config_.delayed_ack_us;
}

void Connection::maybe_send_window_update() {
  if (state_ != State::Established && state_ != State::FinWait1 && state_ != State::FinWait2)
    return;
  Seq right = rcv_nxt_ + static_cast<Seq>(recv_buf_.free_space());
  if (!seq_gt(right, rcv_adv_))
    return;
  size_t step = min_size(recv_buf_.capacity() / 2, 2 * size_t{send_mss_});
  // Tell the peer once the window has grown enough to be worth a segment; from zero or
  // nearly zero, any growth past the threshold matters most (the peer may be probing).
  if (static_cast<size_t>(seq_diff(right, rcv_adv_)) >= step)
    send_ack();
}

void Connection::autotune_receive(uint64_t now) {
  if (receive_buffer_fixed_)
    return;
  // Dynamic right-sizing: if the application drained more than half the buffer within one
  // round trip, the window (and so the buffer) limits throughput: double it.
  uint64_t rtt = rcv_rtt_us_ ? rcv_rtt_us_ : rto_.srtt_us();
  if (rtt == 0 || now - tune_start_us_ < rtt)
    return;
  size_t cap = recv_buf_.capacity();
  size_t limit = config_.receive_buffer_max;
  if (!ws_enabled_ && limit > 65535)
    limit = 65535; // without window scaling the peer could never use more
  if (2 * tune_bytes_ > cap && cap < limit) {
    size_t want = cap * 2 < limit ? cap * 2 : limit;
    (void)recv_buf_.grow(want); // out of memory: keep the present size
  }
  tune_start_us_ = now;
  tune_bytes_ = 0;
}

void Connection::retransmit(Seq seq, size_t len) {
  Seq end = data_end();
  bool fin = fin_sent_ && seq + static_cast<Seq>(len) == end;
  emit(seq, kAck | (fin ? kFin : 0), len);
  ++retransmitted_segments_;
  if (rtt_timing_ && seq_le(seq, rtt_seq_))
    rtt_timing_ = false; // Karn's rule
  if (rtx_deadline_ == 0)
    arm_retransmit(now_us());
}

size_t Connection::send_next(Seq window_end, bool force) {
  if (seq_lt(snd_nxt_, snd_max_))
    snd_nxt_ = scoreboard_.skip_sacked(snd_nxt_);
  Seq end = data_end();
  bool fin_due = write_shut_ && seq_le(snd_nxt_, end);
  size_t avail = seq_lt(snd_nxt_, end) ? static_cast<size_t>(seq_diff(end, snd_nxt_)) : 0;
  // New data may leave as one large send when the link cuts it (TSO); resent data goes a
  // segment at a time.
  bool resending = seq_lt(snd_nxt_, snd_max_);
  size_t len = min_size(avail, resending || large_send_max_ == 0 ? send_mss_ : large_send_max_);
  if (resending) // resending: stop at the next range the peer holds
    len = min_size(
        len, static_cast<size_t>(seq_diff(scoreboard_.next_sacked(snd_nxt_, snd_max_), snd_nxt_)));
  int32_t usable = seq_diff(window_end, snd_nxt_);
  if (usable < 0)
    usable = 0;
  if (len > static_cast<size_t>(usable))
    len = static_cast<size_t>(usable);
  bool fin =
      fin_due && snd_nxt_ + static_cast<Seq>(len) == end && static_cast<size_t>(usable) > len;
  if (len == 0 && !fin)
    return 0;
  bool new_data = seq_ge(snd_nxt_, snd_max_);
  if (new_data && !fin && !force && len < send_mss_) {
    if (len < avail) {
      // Window-limited: sender SWS avoidance (RFC 9293 3.8.6.2.1) waits for half the
      // largest window the peer ever offered; the persist timer breaks a stall.
      if (len < max_snd_wnd_ / 2)
        return 0;
    } else if (!nodelay_ && snd_una_ != snd_max_) {
      return 0; // Nagle: a small segment waits while data is unacknowledged
    }
  }
  emit(snd_nxt_, kAck | (len > 0 && len == avail ? kPsh : 0) | (fin ? kFin : 0), len);
  uint64_t now = now_us();
  if (new_data) {
    if (!ts_enabled_ && !rtt_timing_ && len > 0) {
      rtt_timing_ = true;
      rtt_seq_ = snd_nxt_;
      rtt_start_us_ = now;
    }
  } else {
    ++retransmitted_segments_;
    if (rtt_timing_ && seq_le(snd_nxt_, rtt_seq_))
      rtt_timing_ = false; // Karn's rule
  }
  if (fin)
    fin_sent_ = true;
  size_t used = len + (fin ? 1 : 0);
  snd_nxt_ += static_cast<Seq>(used);
  snd_max_ = seq_max(snd_max_, snd_nxt_);
  persist_deadline_ = 0;
  if (rtx_deadline_ == 0)
    arm_retransmit(now);
  return used;
}

void Connection::arm_persist_if_stalled() {
  // Data waits, nothing is in flight to bring an ACK back, yet the window keeps us from
  // sending: only a probe can learn that the window opened (RFC 9293 3.8.6.1).
  if (snd_una_ != snd_max_ || persist_deadline_ != 0)
    return;
  bool pending = seq_lt(snd_nxt_, data_end()) || (write_shut_ && !fin_sent_);
  if (!pending)
    return;
  uint64_t interval = rto_.rto_us();
  for (int i = 0; i < persist_backoff_ && interval < config_.max_persist_us; ++i)
    interval *= 2;
  if (interval > config_.max_persist_us)
    interval = config_.max_persist_us;
  persist_deadline_ = now_us() + interval;
}

void Connection::output() {
  switch (state_) {
  case State::Established:
  case State::CloseWait:
  case State::FinWait1:
  case State::Closing:
  case State::LastAck:
    break;
  default:
    return;
  }
  if (in_recovery_) {
    output_recovery();
    return;
  }
  uint32_t wnd = snd_wnd_ < cc_.cwnd() ? snd_wnd_ : cc_.cwnd();
  Seq window_end = snd_una_ + wnd;
  while (send_next(window_end, false) > 0) {
  }
  arm_persist_if_stalled();
}

void Connection::output_recovery() {
  // The pipe (RFC 6675 section 4): bytes presumed in the network. With SACK, everything
  // below the highest SACKed byte that is not SACKed counts as lost until retransmitted;
  // without, each duplicate ACK stands for one segment that left the network.
  size_t mss = send_mss_;
  Seq high = scoreboard_.high(snd_una_);
  bool sacking = sack_enabled_ && !scoreboard_.empty();
  size_t pipe;
  if (sacking) {
    Seq resent_end = seq_min(seq_max(rtx_next_, snd_una_), high);
    pipe = static_cast<size_t>(seq_diff(snd_max_, high)) +
           static_cast<size_t>(seq_diff(resent_end, snd_una_)) -
           scoreboard_.sacked_between(snd_una_, resent_end);
  } else {
    size_t flight = flight_size();
    size_t gone = static_cast<size_t>(dupacks_) * mss;
    pipe = flight > gone ? flight - gone : 0;
    high = snd_una_ + static_cast<Seq>(mss); // NewReno: the first segment is the hole
  }
  Seq rwnd_end = snd_una_ + snd_wnd_;
  while (pipe < cc_.cwnd()) {
    Seq from = scoreboard_.skip_sacked(seq_max(rtx_next_, snd_una_));
    Seq hole_end = seq_min(seq_min(high, snd_max_), data_end());
    if (seq_lt(from, hole_end)) {
      Seq stop = scoreboard_.next_sacked(from, hole_end);
      size_t len = min_size(static_cast<size_t>(seq_diff(stop, from)), mss);
      retransmit(from, len);
      rtx_next_ = from + static_cast<Seq>(len);
      pipe += len;
      continue;
    }
    size_t sent = send_next(rwnd_end, false);
    if (sent == 0)
      break;
    pipe += sent;
  }
}

} // namespace net::tcp
