// Tunables of the TCP stack, with defaults that suit a LAN or the Internet. Times are in
// microseconds.
#pragma once

#include "net/tcp_congestion.h"
#include "net/tcp_isn.h"

#include <stddef.h>
#include <stdint.h>

namespace net::tcp {

struct Config {
  // Retransmission timer (RFC 6298). The 200 ms floor is what deployed stacks use; RFC 6298
  // 2.4 suggests 1 s.
  uint64_t min_rto_us = 200000;
  uint64_t max_rto_us = 120000000;
  uint64_t initial_rto_us = 1000000;
  int max_retransmissions = 15; // then the connection fails with ETIMEDOUT
  int max_syn_retransmissions = 6;

  uint64_t delayed_ack_us = 40000; // RFC 9293 3.8.6.3: well under 500 ms
  uint64_t msl_us = 30000000;      // TIME-WAIT lasts 2 MSL
  // An orphaned connection (closed by its owner) waits at most this long in FIN-WAIT-2.
  uint64_t fin_wait2_timeout_us = 60000000;

  // Buffers start small and grow with the measured throughput up to the maximum; the
  // receive maximum also decides the window scale we offer.
  size_t send_buffer = 64 * 1024;
  size_t send_buffer_max = 4 * 1024 * 1024;
  size_t receive_buffer = 64 * 1024;
  size_t receive_buffer_max = 4 * 1024 * 1024;

  bool window_scaling = true; // RFC 7323
  bool timestamps = true;     // RFC 7323
  bool sack = true;           // RFC 2018
  CongestionAlgorithm congestion = CongestionAlgorithm::Cubic;

  // Keepalive defaults (per connection they can be changed, as TCP_KEEPIDLE etc. do).
  uint64_t keepalive_idle_us = 7200ull * 1000000;
  uint64_t keepalive_interval_us = 75ull * 1000000;
  int keepalive_probes = 9;

  // Zero-window probes back off from the RTO up to this interval.
  uint64_t max_persist_us = 60000000;

  // The largest listen() backlog honoured (SYN queue and accept queue each).
  int max_backlog = 65535;

  SipKey isn_secret; // the RFC 6528 secret: random in the kernel, fixed in tests
};

} // namespace net::tcp
