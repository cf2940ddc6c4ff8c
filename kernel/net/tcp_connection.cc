// Connection: construction, the owner's calls, and the small helpers the other parts share.
#include "net/tcp_connection.h"

#include "net/tcp_isn.h"
#include "net/tcp_stack.h"

namespace net::tcp {

const char* state_name(State s) {
  switch (s) {
  case State::Closed:
    return "CLOSED";
  case State::Listen:
    return "LISTEN";
  case State::SynSent:
    return "SYN-SENT";
  case State::SynReceived:
    return "SYN-RECEIVED";
  case State::Established:
    return "ESTABLISHED";
  case State::FinWait1:
    return "FIN-WAIT-1";
  case State::FinWait2:
    return "FIN-WAIT-2";
  case State::CloseWait:
    return "CLOSE-WAIT";
  case State::Closing:
    return "CLOSING";
  case State::LastAck:
    return "LAST-ACK";
  case State::TimeWait:
    return "TIME-WAIT";
  }
  return "?";
}

namespace {
// The smallest shift that lets a 16-bit window field cover `bytes` (RFC 7323 2.3: at most 14).
uint8_t window_shift_for(size_t bytes) {
  uint8_t shift = 0;
  while (shift < 14 && (size_t{65535} << shift) < bytes)
    ++shift;
  return shift;
}
} // namespace

Connection::Connection(Stack& stack, const Endpoint& local, const Endpoint& remote)
    : stack_(stack), config_(stack.config()), local_(local), remote_(remote),
      keepalive_idle_us_(stack.config().keepalive_idle_us),
      keepalive_interval_us_(stack.config().keepalive_interval_us),
      keepalive_probes_(stack.config().keepalive_probes) {
  rto_.init(config_.min_rto_us, config_.max_rto_us, config_.initial_rto_us);
  ts_offset_ = stack.random32();
  rcv_wscale_ = config_.window_scaling ? window_shift_for(config_.receive_buffer_max) : 0;
}

Connection::~Connection() = default;

bool Connection::init_buffers() {
  return send_buf_.init(config_.send_buffer) && recv_buf_.init(config_.receive_buffer);
}

uint64_t Connection::now_us() const {
  return stack_.clock().now_ns() / 1000;
}

uint32_t Connection::ts_now() const {
  return static_cast<uint32_t>(now_us() / 1000) + ts_offset_; // a 1 ms timestamp clock
}

void Connection::open_active() {
  uint64_t now = now_us();
  iss_ = initial_sequence(config_.isn_secret, local_, remote_, now * 1000);
  snd_una_ = snd_nxt_ = snd_max_ = iss_;
  snd_buf_seq_ = iss_ + 1;
  recover_ = iss_;
  set_state(State::SynSent);
  send_syn(false);
}

void Connection::open_passive(const Header& syn, Listener* listener) {
  listener_ = listener;
  irs_ = syn.seq;
  rcv_nxt_ = irs_ + 1;
  rcv_adv_ = rcv_nxt_;
  recv_buf_.start(rcv_nxt_);
  apply_syn_options(syn);
  uint64_t now = now_us();
  iss_ = initial_sequence(config_.isn_secret, local_, remote_, now * 1000);
  snd_una_ = snd_nxt_ = snd_max_ = iss_;
  snd_buf_seq_ = iss_ + 1;
  recover_ = iss_;
  snd_wnd_ = max_snd_wnd_ = syn.window; // never scaled in a SYN (RFC 7323 2.2)
  snd_wl1_ = syn.seq;
  set_state(State::SynReceived);
  send_syn(true);
}

void Connection::set_state(State s) {
  state_ = s;
}

void Connection::notify() {
  if (observer_.notify)
    observer_.notify(observer_.context, events());
}

void Connection::to_closed() {
  set_state(State::Closed);
  rtx_deadline_ = persist_deadline_ = delack_deadline_ = keepalive_deadline_ = 0;
  state_deadline_ = 0;
  stack_.remove_from_table(this);
  if (listener_ && !accept_queued_) {
    listener_->embryo_gone(this); // a handshake that failed: nobody ever saw it
    stack_.bury(this);
    return;
  }
  if (released_)
    stack_.bury(this);
  notify();
}

void Connection::fail(int error) {
  error_ = error < 0 ? error : -error;
  to_closed();
}

void Connection::on_icmp_error(int error) {
  if (error < 0)
    error = -error;
  if (state_ == State::SynSent && error != 0 && error != EMSGSIZE)
    fail(error);
}

int Connection::take_error() {
  int e = error_;
  error_ = 0;
  return e;
}

uint32_t Connection::events() const {
  uint32_t ev = 0;
  bool closed = state_ == State::Closed;
  if (recv_buf_.readable() > 0 || read_shut_ || closed || error_)
    ev |= kReadable;
  bool can_write = state_ == State::Established || state_ == State::CloseWait;
  if ((can_write && !write_shut_ && send_buf_.space() > 0 && send_space_worth_waking()) || closed)
    ev |= kWritable;
  if (read_shut_)
    ev |= kReadHangup;
  bool write_done = write_shut_ && (state_ == State::TimeWait || state_ == State::LastAck ||
                                    state_ == State::Closing || state_ == State::FinWait2);
  if (closed || (read_shut_ && write_done))
    ev |= kHangup;
  if (error_)
    ev |= kError;
  return ev;
}

ErrorOr<size_t> Connection::send(const void* data, size_t len) {
  if (error_)
    return Err(take_error());
  if (write_shut_)
    return Err(-EPIPE);
  switch (state_) {
  case State::SynSent:
  case State::SynReceived:
    return Err(-EAGAIN);
  case State::Established:
  case State::CloseWait:
    break;
  default:
    return Err(-EPIPE);
  }
  grow_send_buffer(len);
  size_t n = send_buf_.append(data, len);
  if (!send_space_worth_waking() || send_buf_.space() == 0)
    writer_waits_ = true;
  if (n == 0)
    return Err(-EAGAIN);
  output();
  return n;
}

size_t Connection::send_room(size_t len) {
  grow_send_buffer(len);
  return send_buf_.space() < len ? send_buf_.space() : len;
}

void Connection::grow_send_buffer(size_t len) {
  if (send_buffer_fixed_)
    return;
  if (send_buf_.space() < len && send_buf_.capacity() < config_.send_buffer_max) {
    // Auto-tuning: keep two congestion windows (what can be in flight now and what the next
    // round trip will want) buffered, so the application never starves a fast path.
    size_t want = 2 * static_cast<size_t>(cc_.cwnd()) + 4 * send_mss_;
    if (want > max_snd_wnd_ * size_t{2})
      want = max_snd_wnd_ * size_t{2};
    size_t cap = send_buf_.capacity();
    while (cap < want && cap < config_.send_buffer_max)
      cap *= 2;
    if (cap > config_.send_buffer_max)
      cap = config_.send_buffer_max;
    (void)send_buf_.grow(cap); // out of memory: carry on with the old size
  }
}

ErrorOr<size_t> Connection::recv(void* out, size_t len, bool peek) {
  if (recv_buf_.readable() > 0) {
    size_t n = recv_buf_.read(out, len, peek);
    if (!peek) {
      autotune_receive(now_us());
      tune_bytes_ += n;
      maybe_send_window_update();
    }
    return n;
  }
  if (error_)
    return Err(take_error());
  if (read_shut_ || state_ == State::Closed)
    return size_t{0};
  return Err(-EAGAIN);
}

Status Connection::shutdown_write() {
  switch (state_) {
  case State::Closed:
  case State::Listen:
    return Err(-ENOTCONN);
  case State::SynSent:
  case State::SynReceived:
    write_shut_ = true; // the FIN follows once established (see established())
    return status_ok();
  case State::Established:
    write_shut_ = true;
    set_state(State::FinWait1);
    break;
  case State::CloseWait:
    write_shut_ = true;
    set_state(State::LastAck);
    break;
  default:
    write_shut_ = true; // already closing
    return status_ok();
  }
  output();
  notify();
  return status_ok();
}

void Connection::close() {
  Stack& stack = stack_;
  released_ = true;
  observer_ = {};
  switch (state_) {
  case State::Closed:
    stack.bury(this);
    break;
  case State::SynSent:
    to_closed(); // RFC 9293 3.10.4: nothing was synchronized, just forget it
    break;
  default:
    if ((linger_ && linger_seconds_ == 0) || recv_buf_.readable() > 0) {
      abort(); // RFC 2525 2.17: closing with unread data resets
      return;
    }
    (void)shutdown_write();
    if (state_ == State::FinWait2)
      state_deadline_ = now_us() + config_.fin_wait2_timeout_us;
    break;
  }
  stack.reap();
}

void Connection::abort() {
  Stack& stack = stack_;
  released_ = true;
  observer_ = {};
  switch (state_) {
  case State::SynReceived:
  case State::Established:
  case State::FinWait1:
  case State::FinWait2:
  case State::CloseWait:
    send_rst(snd_max_);
    break;
  default:
    break;
  }
  if (state_ == State::Closed)
    stack.bury(this);
  else
    to_closed();
  stack.reap();
}

void Connection::set_send_buffer_size(size_t bytes) {
  send_buffer_fixed_ = true;
  if (send_buf_.size() == 0 && bytes < send_buf_.capacity())
    (void)send_buf_.init(bytes); // empty: the storage is taken again at the next byte
  else
    (void)send_buf_.grow(bytes); // out of memory: the present size stays
}

void Connection::set_receive_buffer_size(size_t bytes) {
  receive_buffer_fixed_ = true;
  (void)recv_buf_.grow(bytes);
  maybe_send_window_update(); // a larger buffer is a larger window
}

void Connection::set_nodelay(bool on) {
  nodelay_ = on;
  if (on)
    output(); // TCP_NODELAY pushes out what Nagle was holding back
}

void Connection::set_keepalive(bool on) {
  keepalive_ = on;
  if (on)
    restart_keepalive(now_us());
  else
    keepalive_deadline_ = 0;
}

void Connection::set_keepalive_params(uint64_t idle_us, uint64_t interval_us, int probes) {
  keepalive_idle_us_ = idle_us;
  keepalive_interval_us_ = interval_us;
  keepalive_probes_ = probes;
  if (keepalive_)
    restart_keepalive(now_us());
}

void Connection::set_linger(bool on, uint32_t seconds) {
  linger_ = on;
  linger_seconds_ = seconds;
}

bool Connection::all_data_acknowledged() const {
  return send_buf_.size() == 0 && snd_una_ == snd_max_;
}

ConnectionInfo Connection::info() const {
  ConnectionInfo i{};
  i.state = state_;
  i.srtt_us = rto_.srtt_us();
  i.rttvar_us = rto_.rttvar_us();
  i.rto_us = rto_.rto_us();
  i.cwnd = cc_.cwnd();
  i.ssthresh = cc_.ssthresh();
  i.send_mss = send_mss_;
  i.send_window = snd_wnd_;
  i.receive_window =
      static_cast<uint32_t>(seq_diff(rcv_adv_, rcv_nxt_) > 0 ? seq_diff(rcv_adv_, rcv_nxt_) : 0);
  i.unacked = static_cast<uint32_t>(flight_size());
  i.retransmitted_segments = retransmitted_segments_;
  i.timeouts = timeouts_;
  i.send_wscale = snd_wscale_;
  i.receive_wscale = rcv_wscale_;
  i.timestamps = ts_enabled_;
  i.sack = sack_enabled_;
  return i;
}

} // namespace net::tcp
