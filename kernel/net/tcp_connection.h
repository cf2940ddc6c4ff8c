// One TCP connection: its transmission control block (RFC 9293 section 3.3.1), the state
// machine of section 3.10, and the API the socket layer will call. Connections are made by
// tcp::Stack (connect, or a SYN to a listener) and live in its tables; see tcp_stack.h for
// who frees them.
//
// Implementation files: tcp_connection.cc (user calls), tcp_input.cc (segment arrival),
// tcp_output.cc (what to send and when), tcp_timers.cc (the timers).
#pragma once

#include "lib/error_or.h"
#include "net/tcp_buffers.h"
#include "net/tcp_config.h"
#include "net/tcp_congestion.h"
#include "net/tcp_header.h"
#include "net/tcp_link.h"
#include "net/tcp_rto.h"
#include "net/tcp_scoreboard.h"
#include "net/tcp_seq.h"

#include <stddef.h>
#include <stdint.h>

namespace net::tcp {

class Stack;
class Listener;

enum class State : uint8_t {
  Closed,
  Listen,
  SynSent,
  SynReceived,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  Closing,
  LastAck,
  TimeWait,
};
const char* state_name(State s);

// Readiness bits passed to the observer and returned by Connection::events(); they map onto
// EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLHUP and EPOLLERR in the socket layer.
enum Event : uint32_t {
  kReadable = 1,   // data to read, or the peer's FIN (read returns 0), or an error
  kWritable = 2,   // room in the send buffer
  kReadHangup = 4, // the peer sent FIN
  kHangup = 8,     // both directions are finished (or the connection is gone)
  kError = 16,     // an error waits in the error slot
};

// Wakes whoever waits on the connection (poll, epoll, a blocked read). Called from inside
// the stack: it must not call back into the stack.
struct Observer {
  void (*notify)(void* context, uint32_t events) = nullptr;
  void* context = nullptr;
};

// For TCP_INFO.
struct ConnectionInfo {
  State state;
  uint64_t srtt_us;
  uint64_t rttvar_us;
  uint64_t rto_us;
  uint32_t cwnd;     // bytes
  uint32_t ssthresh; // bytes
  uint32_t send_mss;
  uint32_t send_window;    // the peer's window, scaled
  uint32_t receive_window; // what we last offered
  uint32_t unacked;        // bytes in flight
  uint64_t retransmitted_segments;
  uint64_t timeouts;
  uint8_t send_wscale;
  uint8_t receive_wscale;
  bool timestamps;
  bool sack;
};

class Connection {
public:
  // ---- The socket layer's calls -------------------------------------------------------
  // Copies up to len bytes into the send buffer. Bytes accepted, or -EAGAIN (buffer full,
  // or still in the handshake: wait for kWritable), -EPIPE (shut down for writing, or the
  // connection is gone), or the pending error.
  ErrorOr<size_t> send(const void* data, size_t len);
  // How many bytes a send of `len` would take now, the send buffer grown first as send()
  // would grow it; lets the caller fetch no more than that from user memory.
  size_t send_room(size_t len);
  // Copies up to len received bytes out; keeps them when peek. 0 means end of stream (the
  // peer's FIN); -EAGAIN when nothing is there yet; the pending error if there is one.
  ErrorOr<size_t> recv(void* out, size_t len, bool peek = false);
  // Half close: FIN after the queued data. Reading still works.
  Status shutdown_write();
  // The owner lets go: with linger {on, 0} (or unread data, RFC 9293 3.10.4 / RFC 2525) a
  // RST, else a graceful FIN. The stack keeps the connection until it has finished
  // (TIME-WAIT included) and then frees it; the caller must not touch it again.
  void close();
  // Sends RST (when synchronized) and drops the connection; the caller must not use it again.
  void abort();

  void set_nodelay(bool on);
  void set_keepalive(bool on);
  void set_keepalive_params(uint64_t idle_us, uint64_t interval_us, int probes);
  void set_linger(bool on, uint32_t seconds);
  // SO_SNDBUF / SO_RCVBUF: the buffer holds `bytes` from now on and is no longer auto-tuned
  // (as on Linux once an application sets it). A send buffer shrinks only while it holds
  // nothing; a receive buffer never shrinks (that would take back window already offered).
  void set_send_buffer_size(size_t bytes);
  void set_receive_buffer_size(size_t bytes);
  void set_observer(Observer o) { observer_ = o; }

  // SO_ERROR: returns and clears the pending error (0 when none; else negative errno).
  int take_error();
  uint32_t events() const;
  ConnectionInfo info() const;
  State state() const { return state_; }
  const Endpoint& local() const { return local_; }
  const Endpoint& remote() const { return remote_; }
  // For SO_LINGER with a timeout: true once everything written has been acknowledged (the
  // socket layer waits for this or its timeout, then aborts).
  bool all_data_acknowledged() const;
  size_t send_buffer_size() const { return send_buf_.capacity(); }
  size_t receive_buffer_size() const { return recv_buf_.capacity(); }
  // FIONREAD: in-order bytes a recv would return now.
  size_t readable_bytes() const { return recv_buf_.readable(); }

  // ---- The stack's calls ----------------------------------------------------------------
  Connection(Stack& stack, const Endpoint& local, const Endpoint& remote);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool init_buffers(); // false when out of memory
  void open_active();  // connect(): send SYN
  // A SYN arrived at a listener: become SYN-RECEIVED and answer with SYN-ACK.
  void open_passive(const Header& syn, Listener* listener);
  void on_segment(const Header& h, const uint8_t* payload, size_t len);
  void on_timers(uint64_t now_us);
  void on_icmp_error(int error);     // Stack::icmp_error's rules
  uint64_t next_deadline_us() const; // 0 when no timer runs
  bool user_released() const { return released_; }
  Listener* listener() const { return listener_; }
  void detach_from_listener() { listener_ = nullptr; }
  // SYN-RECEIVED, and the SYN-ACK already went out again: the peer has not answered for an
  // RTO or more, as a spoofed SYN's never does. A full listener gives such one up first.
  bool handshake_overdue() const { return state_ == State::SynReceived && retries_ > 0; }
  void give_up_handshake() { fail(-ETIMEDOUT); } // silently, to CLOSED (and freed)

  // Intrusive links used by the stack.
  Connection* hash_next = nullptr;
  Connection* all_prev = nullptr;
  Connection* all_next = nullptr;
  Connection* queue_next = nullptr;  // in a listener's accept queue / the dead list
  Connection* embryo_prev = nullptr; // in its listener's list of SYN-RECEIVED connections
  Connection* embryo_next = nullptr;
  bool in_table = false;
  bool dead = false;

private:
  // tcp_input.cc
  void input_syn_sent(const Header& h);
  size_t offered_window() const;
  bool sequence_acceptable(const Header& h, size_t len) const;
  void input_rst(const Header& h);
  bool input_ack(const Header& h, size_t len);
  void process_new_ack(Seq ack, const Header& h, uint64_t now_us);
  void process_duplicate_ack();
  void input_data(const Header& h, const uint8_t* payload, size_t len);
  void input_fin();
  void update_timestamps(const Header& h, size_t len);
  bool paws_rejects(const Header& h) const;
  void apply_syn_options(const Header& h);
  void update_send_window(const Header& h);
  void established();

  // tcp_output.cc
  void output();
  void grow_send_buffer(size_t len); // send-buffer auto-tuning before taking len bytes
  void output_recovery();
  // Sends the next segment at snd_nxt_ (new data, a go-back-N retransmission or the FIN)
  // within window_end; force skips Nagle and sender SWS avoidance. Returns its length
  // (sequence space), 0 when nothing was sent.
  size_t send_next(Seq window_end, bool force);
  void retransmit(Seq seq, size_t len);
  void arm_persist_if_stalled();
  void send_syn(bool with_ack);
  void send_ack();
  void send_rst(Seq seq);
  void emit(Seq seq, uint8_t flags, size_t data_len);
  uint16_t window_to_advertise();
  void fill_options(Header& h, uint8_t flags);
  size_t flight_size() const { return static_cast<size_t>(seq_diff(snd_max_, snd_una_)); }
  Seq data_end() const { return snd_buf_seq_ + static_cast<Seq>(send_buf_.size()); }
  void maybe_send_window_update();
  void schedule_ack(bool immediate);
  void autotune_receive(uint64_t now_us);

  // tcp_timers.cc
  void on_retransmit_timeout(uint64_t now_us);
  void on_persist_timeout();
  void on_keepalive_timeout(uint64_t now_us);
  void arm_retransmit(uint64_t now_us);
  void restart_keepalive(uint64_t now_us);
  void enter_time_wait();

  // tcp_connection.cc
  void set_state(State s);
  void fail(int error); // record the error, go to CLOSED
  void to_closed();
  void notify();
  // Room in the send buffer worth telling a writer about: at least half of what is queued
  // (a third of the buffer when it is full), Linux's rule for EPOLLOUT. A writer woken for
  // every ACK would copy one segment's worth per wake-up (a system call or two and a
  // context switch per segment).
  bool send_space_worth_waking() const { return 2 * send_buf_.space() >= send_buf_.size(); }
  uint64_t now_us() const;
  uint32_t ts_now() const;

  Stack& stack_;
  const Config& config_;
  Endpoint local_;
  Endpoint remote_;
  State state_ = State::Closed;
  Listener* listener_ = nullptr; // set while an unaccepted passive connection
  Observer observer_;
  int error_ = 0;
  bool released_ = false;   // the owner called close()/abort()
  bool write_shut_ = false; // no more data from the application: FIN follows the buffer
  bool read_shut_ = false;  // the peer's FIN has arrived
  bool fin_sent_ = false;
  // A send left too little room to be writable (send_space_worth_waking): the ACK that
  // frees enough notifies the observer; the ACKs before it do not.
  bool writer_waits_ = false;
  bool send_buffer_fixed_ = false;    // SO_SNDBUF: no auto-tuning
  bool receive_buffer_fixed_ = false; // SO_RCVBUF: no auto-tuning

  // Send sequence space (RFC 9293 3.3.1). snd_nxt_ is where the next segment starts
  // (it moves back to snd_una_ after a timeout); snd_max_ is the highest ever sent.
  Seq iss_ = 0;
  Seq snd_una_ = 0;
  Seq snd_nxt_ = 0;
  Seq snd_max_ = 0;
  Seq snd_buf_seq_ = 0; // sequence number of send_buf_ byte 0
  uint32_t snd_wnd_ = 0;
  uint32_t max_snd_wnd_ = 0;
  Seq snd_wl1_ = 0;
  Seq snd_wl2_ = 0;
  uint8_t snd_wscale_ = 0;
  uint16_t send_mss_ = 536;
  uint32_t large_send_max_ = 0; // payload of one large send (TSO), 0: one MSS per segment

  // Receive sequence space.
  Seq irs_ = 0;
  Seq rcv_nxt_ = 0;
  Seq rcv_adv_ = 0; // the right edge of the window we last advertised
  uint8_t rcv_wscale_ = 0;
  bool fin_pending_ = false; // a FIN arrived ahead of a hole
  Seq fin_seq_in_ = 0;

  // Negotiated options.
  bool ts_enabled_ = false;
  bool sack_enabled_ = false;
  bool ws_enabled_ = false;
  uint32_t ts_recent_ = 0;
  uint32_t ts_offset_ = 0; // per-connection random offset of our TSval (RFC 7323 5.4)
  Seq last_ack_sent_ = 0;

  // Retransmission and congestion.
  RtoEstimator rto_;
  Congestion cc_;
  Scoreboard scoreboard_;
  int retries_ = 0;
  bool rtt_timing_ = false; // Karn: timing one segment when timestamps are off
  Seq rtt_seq_ = 0;
  uint64_t rtt_start_us_ = 0;
  int dupacks_ = 0;
  bool in_recovery_ = false;
  Seq recover_ = 0;  // RFC 6582: SND.MAX when recovery started
  Seq rtx_next_ = 0; // recovery: holes below this have been retransmitted
  uint64_t retransmitted_segments_ = 0;
  uint64_t timeouts_ = 0;

  // Timers: absolute deadlines in microseconds, 0 when not running.
  uint64_t rtx_deadline_ = 0;
  uint64_t persist_deadline_ = 0;
  int persist_backoff_ = 0;
  uint64_t delack_deadline_ = 0;
  uint64_t keepalive_deadline_ = 0;
  int keepalive_sent_ = 0;
  uint64_t state_deadline_ = 0; // TIME-WAIT and the orphan FIN-WAIT-2 limit
  int unacked_segments_ = 0;    // full segments received since our last ACK

  // Options set by the owner.
  bool nodelay_ = false;
  bool keepalive_ = false;
  uint64_t keepalive_idle_us_;
  uint64_t keepalive_interval_us_;
  int keepalive_probes_;
  bool linger_ = false;
  uint32_t linger_seconds_ = 0;

  // Receive-buffer auto-tuning: bytes the application read in the current measurement
  // period (one smoothed RTT long).
  uint64_t tune_start_us_ = 0;
  size_t tune_bytes_ = 0;
  uint64_t rcv_rtt_us_ = 0;    // the RTT as the receiver sees it (from echoed timestamps)
  bool accept_queued_ = false; // established, waiting in the listener's accept queue

  SendBuffer send_buf_;
  ReceiveBuffer recv_buf_;

  friend class Stack;
};

} // namespace net::tcp
