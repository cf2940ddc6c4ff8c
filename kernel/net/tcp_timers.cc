// The connection's timers: retransmission (RFC 6298), persist (zero-window probes, RFC 9293
// 3.8.6.1), delayed ACK, keepalive (RFC 9293 3.8.4 / RFC 1122 4.2.3.6), and the state timer
// of TIME-WAIT (2 MSL) and of an orphaned FIN-WAIT-2.
#include "net/tcp_connection.h"
#include "net/tcp_stack.h"

namespace net::tcp {

uint64_t Connection::next_deadline_us() const {
  const uint64_t deadlines[] = {rtx_deadline_, persist_deadline_, delack_deadline_,
                                keepalive_deadline_, state_deadline_};
  uint64_t best = 0;
  for (uint64_t d : deadlines)
    if (d != 0 && (best == 0 || d < best))
      best = d;
  return best;
}

void Connection::arm_retransmit(uint64_t now) {
  rtx_deadline_ = now + rto_.rto_us();
}

void Connection::restart_keepalive(uint64_t now) {
  if (keepalive_ && (state_ == State::Established || state_ == State::CloseWait))
    keepalive_deadline_ = now + keepalive_idle_us_;
  else
    keepalive_deadline_ = 0;
}

void Connection::enter_time_wait() {
  set_state(State::TimeWait);
  rtx_deadline_ = persist_deadline_ = keepalive_deadline_ = 0;
  state_deadline_ = now_us() + 2 * config_.msl_us;
  notify();
}

void Connection::on_timers(uint64_t now) {
  if (state_deadline_ != 0 && now >= state_deadline_) {
    state_deadline_ = 0;
    if (state_ == State::TimeWait || state_ == State::FinWait2) {
      to_closed();
      return;
    }
  }
  if (delack_deadline_ != 0 && now >= delack_deadline_) {
    delack_deadline_ = 0;
    send_ack();
  }
  if (rtx_deadline_ != 0 && now >= rtx_deadline_) {
    rtx_deadline_ = 0;
    on_retransmit_timeout(now);
    if (state_ == State::Closed)
      return;
  }
  if (persist_deadline_ != 0 && now >= persist_deadline_) {
    persist_deadline_ = 0;
    on_persist_timeout();
  }
  if (keepalive_deadline_ != 0 && now >= keepalive_deadline_) {
    keepalive_deadline_ = 0;
    on_keepalive_timeout(now);
  }
}

void Connection::on_retransmit_timeout(uint64_t now) {
  bool handshake = state_ == State::SynSent || state_ == State::SynReceived;
  int limit = handshake ? config_.max_syn_retransmissions : config_.max_retransmissions;
  if (++retries_ > limit) {
    if (!handshake)
      send_rst(snd_max_); // tell the peer, should it still be there
    fail(-ETIMEDOUT);
    return;
  }
  ++timeouts_;
  rto_.back_off(); // RFC 6298 5.5
  rtt_timing_ = false;
  if (handshake) {
    send_syn(state_ == State::SynReceived);
    return;
  }
  // RFC 5681 3.1 / 6582: loss window, and no fast retransmit for what was sent before now.
  cc_.on_timeout(static_cast<uint32_t>(flight_size()), retries_ == 1);
  in_recovery_ = false;
  dupacks_ = 0;
  recover_ = snd_max_;
  // RFC 2018 8 / RFC 6675 5.1: the receiver may have discarded what it SACKed; start over.
  scoreboard_.clear();
  snd_nxt_ = snd_una_;
  uint32_t wnd = snd_wnd_ < cc_.cwnd() ? snd_wnd_ : cc_.cwnd();
  if (wnd == 0)
    wnd = 1; // a zero window: the retransmission doubles as a window probe
  if (send_next(snd_una_ + wnd, true) == 0)
    arm_retransmit(now);
  else if (rtx_deadline_ == 0)
    arm_retransmit(now);
}

void Connection::on_persist_timeout() {
  if (snd_una_ != snd_max_)
    return; // something is in flight: the retransmission timer covers it
  // A probe: what the window allows, at least one byte beyond it (RFC 9293 3.8.6.1).
  uint32_t wnd = snd_wnd_ < cc_.cwnd() ? snd_wnd_ : cc_.cwnd();
  if (wnd == 0)
    wnd = 1;
  ++persist_backoff_;
  if (send_next(snd_una_ + wnd, true) == 0)
    arm_persist_if_stalled();
}

void Connection::on_keepalive_timeout(uint64_t now) {
  if (!keepalive_ || (state_ != State::Established && state_ != State::CloseWait))
    return;
  if (keepalive_sent_ >= keepalive_probes_) {
    send_rst(snd_max_);
    fail(-ETIMEDOUT);
    return;
  }
  // SEG.SEQ = SND.NXT - 1 and no data: outside the peer's window, so it must answer with
  // an ACK (RFC 1122 4.2.3.6).
  emit(snd_una_ - 1, kAck, 0);
  ++keepalive_sent_;
  keepalive_deadline_ = now + keepalive_interval_us_;
}

} // namespace net::tcp
