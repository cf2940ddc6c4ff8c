// The TCP stack: the table that finds a connection for each arriving segment, the
// listeners with their SYN and accept queues, ephemeral ports, and the timers of all
// connections. One Stack serves one network namespace; it is not thread-safe (the kernel
// calls it under one lock).
//
// Ownership: connect() and Listener::accept() hand a Connection to the owner, who must end
// it with close() or abort(). Until accept() the listener owns it. A closed-by-owner
// connection stays in the stack until its state machine finishes (FIN exchange,
// TIME-WAIT) and is then freed. The stack frees connections only at the end of its entry
// points (receive, poll_timers, connect, close), never under a caller's feet.
#pragma once

#include "lib/error_or.h"
#include "net/tcp_config.h"
#include "net/tcp_connection.h"
#include "net/tcp_header.h"
#include "net/tcp_link.h"

#include <stddef.h>
#include <stdint.h>

namespace net::tcp {

class Listener {
public:
  // The next established connection, now owned by the caller; nullptr when none waits.
  Connection* accept();
  // Stops listening: resets connections not yet accepted and frees the listener.
  void close();
  void set_observer(Observer o) { observer_ = o; }
  uint32_t events() const { return accept_count_ > 0 ? uint32_t{kReadable} : 0u; }
  const Endpoint& local() const { return local_; }
  int backlog() const { return backlog_; }
  int syn_queue_length() const { return syn_count_; }
  int accept_queue_length() const { return accept_count_; }

private:
  friend class Stack;
  friend class Connection;
  Listener(Stack& stack, const Endpoint& local, int backlog, uint8_t families)
      : stack_(stack), local_(local), backlog_(backlog), families_(families) {}
  bool has_room() const { return syn_count_ + accept_count_ < backlog_; }
  bool takes(uint8_t family) const { return families_ & family_bit(family); }
  static uint8_t family_bit(uint8_t family) { return family == 6 ? 2 : 1; }
  void add_embryo(Connection* c);  // a SYN arrived: c is SYN-RECEIVED
  void enqueue(Connection* c);     // a passive connection became ESTABLISHED
  void embryo_gone(Connection* c); // a SYN-RECEIVED connection died
  void unlink_embryo(Connection* c);
  // When the queues are full: gives up the oldest SYN-RECEIVED connection if its peer is
  // overdue (Connection::handshake_overdue), so that a SYN flood from made-up addresses,
  // whose SYN-ACKs nobody answers, cannot keep real clients out for the minutes the
  // handshake retransmissions last. True when that made room.
  bool make_room();
  void notify();

  Stack& stack_;
  Endpoint local_;
  int backlog_;
  uint8_t families_; // family_bit()s of the destinations it takes
  int syn_count_ = 0;
  int accept_count_ = 0;
  Connection* accept_head_ = nullptr;
  Connection* accept_tail_ = nullptr;
  Connection* embryo_head_ = nullptr; // oldest first
  Connection* embryo_tail_ = nullptr;
  Observer observer_;
  Listener* next_ = nullptr;
};

class Stack {
public:
  Stack(Link& link, const Clock& clock, const Config& config);
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // Listens on local (address "any" matches every local address of its family). backlog is
  // raised to at least 1 and capped at Config::max_backlog. -EADDRINUSE when the port is
  // taken for a family it would serve. `dual_stack` (an IPv6 "any" that is not
  // IPV6_V6ONLY) takes IPv4 destinations as well.
  ErrorOr<Listener*> listen(const Endpoint& local, int backlog, bool dual_stack = false);
  // Active open from local (port 0: an ephemeral port) to remote; the SYN goes out now.
  // The result reports progress through events() and take_error() (ECONNREFUSED,
  // ETIMEDOUT) like a non-blocking connect.
  ErrorOr<Connection*> connect(const Endpoint& local, const Endpoint& remote);

  // A segment from the IP layer, checksum already verified.
  void receive(const IpAddr& src, const IpAddr& dst, const uint8_t* segment, size_t len);
  // An ICMP error (positive errno) about a segment we sent from local to remote. A
  // connection still in SYN-SENT fails with it (RFC 1122 4.2.3.9 leaves the choice; a
  // port unreachable then reads as ECONNREFUSED, as on Linux); for a synchronized
  // connection every error is soft and TCP's own timers decide. EMSGSIZE (fragmentation
  // needed) is the path MTU cache's business, not the connection's.
  void icmp_error(const Endpoint& local, const Endpoint& remote, int error);
  // Runs every timer that is due by the clock.
  void poll_timers();
  // When poll_timers next has work, in clock nanoseconds; 0 when no timer runs.
  uint64_t next_deadline_ns() const;

  // True while a synchronized connection has data (or a FIN) the peer has not acknowledged:
  // the kernel lets that reach the peer before it powers the machine off.
  bool has_unacknowledged_data() const;

  // Connections in the table (not yet CLOSED), TIME-WAIT included.
  size_t connection_count() const { return connection_count_; }

  // ---- For Connection and Listener ------------------------------------------------------
  Link& link() { return link_; }
  const Clock& clock() const { return clock_; }
  const Config& config() const { return config_; }
  uint32_t random32(); // per-connection timestamp offsets
  // Room for one whole segment (header and the largest payload) to build frames in.
  uint8_t* frame_buffer() { return frame_; }
  static constexpr size_t kFrameSize = kMaxHeader; // headers only: payload is not copied here
  void remove_from_table(Connection* c);
  void bury(Connection* c); // free at the end of the current entry point
  void free_listener(Listener* l);
  // A RST in reply to a segment that matches no connection (RFC 9293 3.10.7.1).
  void reply_reset(const Endpoint& local, const Endpoint& remote, const Header& h, size_t len);
  void reap();

private:
  size_t bucket_of(const Endpoint& local, const Endpoint& remote) const;
  Connection* find(const Endpoint& local, const Endpoint& remote) const;
  void insert(Connection* c);
  Listener* find_listener(const Endpoint& local) const;
  bool port_in_use(const IpAddr& addr, uint16_t port) const;
  uint16_t pick_ephemeral_port(const IpAddr& addr);
  Connection* make_connection(const Endpoint& local, const Endpoint& remote);

  static constexpr size_t kBuckets = 4096;

  Link& link_;
  const Clock& clock_;
  Config config_;
  Connection** buckets_ = nullptr;
  uint8_t* frame_ = nullptr;
  // Every connection object not yet freed (in the table or closed but still owned), for the
  // timers and the destructor.
  Connection* all_ = nullptr;
  Connection* dead_ = nullptr;
  Listener* listeners_ = nullptr;
  size_t connection_count_ = 0;
  uint16_t next_ephemeral_ = 49152;
  uint64_t random_state_;
};

} // namespace net::tcp
