// Segment arrival (RFC 9293 section 3.10.7), with the RFC 5961 defences against blind
// resets and injection, RFC 7323 PAWS and timestamps, and the ACK-driven parts of loss
// recovery (RFC 5681, 6582, 6675).
#include "net/tcp_connection.h"
#include "net/tcp_stack.h"

namespace net::tcp {

void Connection::apply_syn_options(const Header& h) {
  const Options& o = h.options;
  ws_enabled_ = config_.window_scaling && o.has_wscale;
  snd_wscale_ = ws_enabled_ ? o.wscale : 0;
  if (!ws_enabled_)
    rcv_wscale_ = 0;
  ts_enabled_ = config_.timestamps && o.has_timestamps;
  if (ts_enabled_)
    ts_recent_ = o.ts_val;
  sack_enabled_ = config_.sack && o.sack_permitted;
  // RFC 9293 3.7.1: without the option the peer takes 536. The MSS counts payload with a
  // bare header, so the 12 bytes of the timestamp option come off every segment.
  uint32_t mss = o.has_mss ? o.mss : 536;
  uint32_t ours = stack_.link().mss_for(remote_.addr);
  if (ours < mss)
    mss = ours;
  if (ts_enabled_)
    mss -= 12;
  if (mss < 64)
    mss = 64;
  send_mss_ = static_cast<uint16_t>(mss);
  // Segmentation offload: new data may go in large sends of whole MSS multiples that the
  // link cuts (the header's options come off each piece's MSS, as above).
  uint32_t large = stack_.link().large_send_limit(remote_.addr);
  large_send_max_ = large >= 2 * mss ? large / mss * mss : 0;
}

void Connection::established() {
  set_state(State::Established);
  cc_.init(config_.congestion, send_mss_);
  if (retries_ > 0)
    cc_.on_timeout(0, false); // RFC 5681 3.1: a retransmitted SYN means a 1-segment start
  retries_ = 0;
  uint64_t now = now_us();
  restart_keepalive(now);
  tune_start_us_ = now;
  if (listener_) {
    accept_queued_ = true;
    listener_->enqueue(this);
  }
  if (write_shut_)
    set_state(State::FinWait1); // shutdown() during the handshake
  notify();
}

bool Connection::paws_rejects(const Header& h) const {
  // RFC 7323 5.3 R1: a timestamp older than TS.Recent marks an old duplicate.
  return ts_enabled_ && h.options.has_timestamps && !(h.flags & kRst) &&
         static_cast<int32_t>(h.options.ts_val - ts_recent_) < 0;
}

void Connection::update_timestamps(const Header& h, size_t len) {
  if (!ts_enabled_ || !h.options.has_timestamps)
    return;
  // RFC 7323 4.3 / 5.3 R3: remember the TSval of the segment that our next ACK covers.
  if (seq_le(h.seq, last_ack_sent_) && static_cast<int32_t>(h.options.ts_val - ts_recent_) >= 0)
    ts_recent_ = h.options.ts_val;
  // The receiver's view of the RTT (for buffer auto-tuning): how old our echoed TSval is.
  if (len > 0 && h.options.ts_ecr != 0) {
    uint64_t sample = uint64_t{ts_now() - h.options.ts_ecr} * 1000;
    if (sample == 0)
      sample = 1000;
    rcv_rtt_us_ = rcv_rtt_us_ == 0 ? sample : (7 * rcv_rtt_us_ + sample) / 8;
  }
}

size_t Connection::offered_window() const {
  // What the peer may send: up to the right edge we advertised. (It never exceeds the free
  // buffer space: only in-order data, which moves RCV.NXT as much, uses that space up.)
  if (!seq_gt(rcv_adv_, rcv_nxt_))
    return 0;
  size_t wnd = static_cast<size_t>(seq_diff(rcv_adv_, rcv_nxt_));
  size_t free = recv_buf_.free_space();
  return wnd < free ? wnd : free;
}

bool Connection::sequence_acceptable(const Header& h, size_t len) const {
  // RFC 9293 3.10.7.4, first check: does any of the segment fall in the receive window?
  size_t seg_len = len + ((h.flags & kSyn) ? 1 : 0) + ((h.flags & kFin) ? 1 : 0);
  Seq wnd = static_cast<Seq>(offered_window());
  if (seg_len == 0) {
    if (wnd == 0)
      return h.seq == rcv_nxt_;
    return seq_in(h.seq, rcv_nxt_, rcv_nxt_ + wnd);
  }
  if (wnd == 0)
    return h.seq == rcv_nxt_; // zero window: take the ACK (and RST), not the data
  Seq last = h.seq + static_cast<Seq>(seg_len) - 1;
  return seq_in(h.seq, rcv_nxt_, rcv_nxt_ + wnd) || seq_in(last, rcv_nxt_, rcv_nxt_ + wnd);
}

void Connection::input_rst(const Header& h) {
  // RFC 5961 3.2: only a RST exactly at RCV.NXT resets; others in the window get a
  // challenge ACK (a genuine peer answers it with a RST we will then accept).
  if (h.seq != rcv_nxt_) {
    send_ack();
    return;
  }
  switch (state_) {
  case State::SynReceived:
    if (listener_)
      to_closed(); // back to LISTEN: the listener just forgets this handshake
    else
      fail(-ECONNREFUSED); // simultaneous open refused
    break;
  case State::Established:
  case State::FinWait1:
  case State::FinWait2:
  case State::CloseWait:
    read_shut_ = true;
    fail(-ECONNRESET);
    break;
  default: // CLOSING, LAST-ACK, TIME-WAIT: the connection simply ends
    to_closed();
    break;
  }
}

void Connection::input_syn_sent(const Header& h) {
  bool has_ack = h.flags & kAck;
  if (has_ack && (seq_le(h.ack, iss_) || seq_gt(h.ack, snd_max_))) {
    if (!(h.flags & kRst))
      send_rst(h.ack); // an old connection's segment: tell it so
    return;
  }
  if (h.flags & kRst) {
    if (has_ack)
      fail(-ECONNREFUSED);
    return; // a RST without an acceptable ACK could be anyone's
  }
  if (!(h.flags & kSyn))
    return;
  irs_ = h.seq;
  rcv_nxt_ = irs_ + 1;
  rcv_adv_ = rcv_nxt_;
  last_ack_sent_ = rcv_nxt_;
  recv_buf_.start(rcv_nxt_);
  apply_syn_options(h);
  snd_wnd_ = max_snd_wnd_ = h.window; // SYN windows are never scaled
  snd_wl1_ = h.seq;
  snd_wl2_ = h.ack;
  if (!has_ack) {
    // Simultaneous open (RFC 9293 figure 8): both sent SYNs; answer with SYN-ACK.
    set_state(State::SynReceived);
    send_syn(true);
    return;
  }
  uint64_t now = now_us();
  if (ts_enabled_ && h.options.ts_ecr != 0)
    rto_.add_sample(uint64_t{ts_now() - h.options.ts_ecr} * 1000);
  else if (rtt_timing_)
    rto_.add_sample(now - rtt_start_us_);
  rtt_timing_ = false;
  snd_una_ = h.ack;
  rtx_deadline_ = 0;
  established();
  send_ack();
  output(); // anything written (or shut down) meanwhile
}

void Connection::on_segment(const Header& h, const uint8_t* payload, size_t len) {
  if (state_ == State::Closed)
    return;
  if (state_ == State::SynSent) {
    input_syn_sent(h);
    return;
  }
  uint64_t now = now_us();
  if (state_ == State::SynReceived && (h.flags & kSyn) && h.seq == irs_) {
    if (!(h.flags & kAck)) {
      send_syn(true); // the peer's SYN again: our SYN-ACK was lost
      return;
    }
    // Simultaneous open: the peer's SYN-ACK crossed ours.
    if (seq_lt(snd_una_, h.ack) && seq_le(h.ack, snd_max_) && !(h.flags & kRst)) {
      snd_una_ = h.ack;
      snd_wnd_ = max_snd_wnd_ = h.window;
      snd_wl1_ = h.seq;
      snd_wl2_ = h.ack;
      rtx_deadline_ = 0;
      established();
      send_ack();
      output();
    }
    return;
  }
  if (paws_rejects(h)) {
    send_ack();
    return;
  }
  if (!sequence_acceptable(h, len)) {
    if (!(h.flags & kRst)) {
      send_ack();
      if (state_ == State::TimeWait && (h.flags & kFin))
        state_deadline_ = now + 2 * config_.msl_us; // RFC 9293: restart the 2 MSL wait
    }
    return;
  }
  if (h.flags & kRst) {
    input_rst(h);
    return;
  }
  if (h.flags & kSyn) {
    send_ack(); // RFC 5961 4.2: a SYN in a synchronized state gets a challenge ACK
    return;
  }
  if (!(h.flags & kAck))
    return;
  keepalive_sent_ = 0;
  restart_keepalive(now);
  update_timestamps(h, len);
  if (!input_ack(h, len))
    return;
  input_data(h, payload, len);
  if (state_ == State::Closed)
    return;
  if (h.flags & kFin) {
    Seq fin_seq = h.seq + static_cast<Seq>(len);
    bool receiving =
        state_ == State::Established || state_ == State::FinWait1 || state_ == State::FinWait2;
    if (receiving && fin_seq == rcv_nxt_) {
      input_fin();
    } else if (receiving && seq_gt(fin_seq, rcv_nxt_)) {
      fin_pending_ = true; // after a hole: taken when the hole fills
      fin_seq_in_ = fin_seq;
    } else {
      send_ack();
      if (state_ == State::TimeWait)
        state_deadline_ = now + 2 * config_.msl_us;
    }
  }
}

bool Connection::input_ack(const Header& h, size_t len) {
  uint64_t now = now_us();
  if (state_ == State::SynReceived) {
    if (!(seq_lt(snd_una_, h.ack) && seq_le(h.ack, snd_max_))) {
      send_rst(h.ack);
      return false;
    }
    snd_wl1_ = h.seq - 1; // let this segment set the (now scaled) window
    established();
  }
  // RFC 5961 5.2: acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.MAX].
  if (seq_gt(h.ack, snd_max_) || seq_lt(h.ack, snd_una_ - max_snd_wnd_)) {
    send_ack();
    return false;
  }
  uint32_t new_window = static_cast<uint32_t>(h.window) << snd_wscale_;
  bool new_sack = false;
  if (sack_enabled_)
    for (int i = 0; i < h.options.sack_count; ++i)
      new_sack |= scoreboard_.add(h.options.sack[i], seq_max(snd_una_, h.ack), snd_max_);
  if (seq_gt(h.ack, snd_una_)) {
    process_new_ack(h.ack, h, now);
  } else if (h.ack == snd_una_ && new_window == 0 && snd_max_ != snd_una_) {
    retries_ = 0; // the peer answers our zero-window probes: never give up on it
  } else if (h.ack == snd_una_ && snd_max_ != snd_una_ &&
             (new_sack || (len == 0 && !(h.flags & (kSyn | kFin)) && new_window == snd_wnd_))) {
    process_duplicate_ack(); // (answers to window probes are not: see above)
  }
  update_send_window(h);

  bool fin_acked = fin_sent_ && snd_una_ == snd_max_;
  switch (state_) {
  case State::FinWait1:
    if (fin_acked) {
      set_state(State::FinWait2);
      if (released_)
        state_deadline_ = now + config_.fin_wait2_timeout_us;
      notify();
    }
    break;
  case State::Closing:
    if (fin_acked)
      enter_time_wait();
    break;
  case State::LastAck:
    if (fin_acked) {
      to_closed();
      return false;
    }
    break;
  default:
    break;
  }
  output();
  return true;
}

void Connection::process_new_ack(Seq ack, const Header& h, uint64_t now) {
  uint32_t acked = static_cast<uint32_t>(seq_diff(ack, snd_una_));
  // RTT measurement: timestamps (RFC 7323 4.1) or one timed segment (Karn's rule, RFC 6298 3).
  if (ts_enabled_ && h.options.has_timestamps && h.options.ts_ecr != 0) {
    rto_.add_sample(uint64_t{ts_now() - h.options.ts_ecr} * 1000);
  } else if (rtt_timing_ && seq_gt(ack, rtt_seq_)) {
    rto_.add_sample(now - rtt_start_us_);
    rtt_timing_ = false;
  }
  retries_ = 0;
  rto_.clear_backoff();

  if (seq_gt(ack, snd_buf_seq_)) {
    size_t n = static_cast<size_t>(seq_diff(ack, snd_buf_seq_));
    if (n > send_buf_.size())
      n = send_buf_.size(); // the rest acknowledges our FIN
    send_buf_.drop_front(n);
    snd_buf_seq_ += static_cast<Seq>(n);
  }
  snd_una_ = ack;
  if (seq_lt(snd_nxt_, snd_una_))
    snd_nxt_ = snd_una_;
  scoreboard_.advance(ack);

  if (in_recovery_) {
    if (seq_ge(ack, recover_)) {
      in_recovery_ = false; // full acknowledgment (RFC 6582 3.2 step 3)
      dupacks_ = 0;
      cc_.on_recovery_end();
    } else {
      // Partial acknowledgment: the next hole is lost too; resend from SND.UNA.
      dupacks_ = 0;
      if (!sack_enabled_ || seq_lt(rtx_next_, snd_una_))
        rtx_next_ = snd_una_;
    }
  } else {
    dupacks_ = 0;
    cc_.on_ack(acked, now, rto_.srtt_us());
  }
  // RFC 6298 5.2 / 5.3: stop the timer when all is acknowledged, else restart it.
  if (snd_una_ == snd_max_)
    rtx_deadline_ = 0;
  else
    arm_retransmit(now);
  persist_backoff_ = 0;
  // Readiness changes only when a waiting writer now has enough room, or when everything
  // is acknowledged (SO_LINGER's close waits for that); other ACKs wake nobody.
  bool writable = send_buf_.space() > 0 && send_space_worth_waking();
  if ((writer_waits_ && writable) || snd_una_ == snd_max_) {
    if (writable)
      writer_waits_ = false;
    notify();
  }
}

void Connection::process_duplicate_ack() {
  ++dupacks_;
  if (in_recovery_)
    return; // output() sends what the shrinking pipe allows
  bool enough = dupacks_ >= 3 || (sack_enabled_ && scoreboard_.sacked_bytes() >= 3u * send_mss_);
  // RFC 6582 4.1: no new recovery until the losses of the last one are behind us.
  if (!enough || !seq_gt(snd_una_, recover_))
    return;
  in_recovery_ = true;
  recover_ = snd_max_;
  cc_.on_loss(static_cast<uint32_t>(flight_size()));
  rtt_timing_ = false;
  snd_nxt_ = snd_max_;
  if (dupacks_ < 3)
    dupacks_ = 3;
  // Fast retransmit: the first unacknowledged segment goes now, whatever the pipe says.
  size_t len = send_buf_.size() < send_mss_ ? send_buf_.size() : send_mss_;
  Seq limit = scoreboard_.next_sacked(snd_una_, snd_una_ + static_cast<Seq>(len));
  len = static_cast<size_t>(seq_diff(limit, snd_una_));
  retransmit(snd_una_, len);
  rtx_next_ = snd_una_ + static_cast<Seq>(len);
}

void Connection::update_send_window(const Header& h) {
  // RFC 9293 3.10.7.4: only a newer segment (by SEQ, then ACK) may change the window.
  if (!(seq_lt(snd_wl1_, h.seq) || (snd_wl1_ == h.seq && seq_le(snd_wl2_, h.ack))))
    return;
  uint32_t old = snd_wnd_;
  snd_wnd_ = static_cast<uint32_t>(h.window) << snd_wscale_;
  snd_wl1_ = h.seq;
  snd_wl2_ = h.ack;
  if (snd_wnd_ > max_snd_wnd_)
    max_snd_wnd_ = snd_wnd_;
  if (old == 0 && snd_wnd_ > 0 && persist_backoff_ > 0) {
    // The window opened after probing: resend from SND.UNA (the probe byte may have been
    // dropped by the full receiver).
    persist_deadline_ = 0;
    persist_backoff_ = 0;
    snd_nxt_ = snd_una_;
  }
}

void Connection::input_data(const Header& h, const uint8_t* payload, size_t len) {
  if (len == 0)
    return;
  if (state_ != State::Established && state_ != State::FinWait1 && state_ != State::FinWait2)
    return; // after the peer's FIN there is no more data to take (RFC 9293 3.10.7.4)
  Seq seq = h.seq;
  if (seq_lt(seq, rcv_nxt_)) {
    size_t old = static_cast<size_t>(seq_diff(rcv_nxt_, seq));
    if (old >= len) {
      schedule_ack(true); // a duplicate: the peer missed our ACK
      return;
    }
    payload += old;
    len -= old;
    seq = rcv_nxt_;
  }
  size_t offset = static_cast<size_t>(seq_diff(seq, rcv_nxt_));
  size_t room = offered_window(); // RFC 9293 3.10.7.4: trim to the window we offered
  bool trimmed = false;
  if (offset >= room) {
    schedule_ack(true); // beyond the window (a zero-window probe, say)
    return;
  }
  if (len > room - offset) {
    len = room - offset;
    trimmed = true;
  }
  bool had_holes = recv_buf_.has_out_of_order();
  size_t advanced = recv_buf_.store(seq, payload, len);
  rcv_nxt_ += static_cast<Seq>(advanced);
  if (fin_pending_ && rcv_nxt_ == fin_seq_in_)
    input_fin();
  if (advanced > 0)
    notify();
  // RFC 5681 4.2: ACK at once when data arrives out of order or fills a hole.
  schedule_ack(offset > 0 || had_holes || trimmed || recv_buf_.has_out_of_order());
}

void Connection::input_fin() {
  fin_pending_ = false;
  rcv_nxt_ += 1;
  read_shut_ = true;
  switch (state_) {
  case State::Established:
    set_state(State::CloseWait);
    break;
  case State::FinWait1:
    if (fin_sent_ && snd_una_ == snd_max_)
      enter_time_wait();
    else
      set_state(State::Closing); // simultaneous close
    break;
  case State::FinWait2:
    enter_time_wait();
    break;
  default:
    break;
  }
  send_ack();
  notify();
}

} // namespace net::tcp
