// The retransmission timeout estimator of RFC 6298: smoothed RTT and RTT variance from
// samples, RTO = SRTT + max(G, 4 * RTTVAR), clamped, doubled on each timeout (backoff) until
// a new sample arrives. Karn's rule (never sample a retransmitted segment) is the caller's:
// it only passes samples it may take.
#pragma once

#include <stdint.h>

namespace net::tcp {

class RtoEstimator {
public:
  // RFC 6298 2.4 asks for a 1 s floor; min_us lets the stack choose (deployed stacks use
  // about 200 ms, which recovers from loss much sooner on fast paths).
  void init(uint64_t min_us, uint64_t max_us, uint64_t initial_us);

  void add_sample(uint64_t rtt_us);
  // A retransmission timeout fired: double the timeout (RFC 6298 5.5).
  void back_off();
  // Forget backoff without a sample (new data acknowledged).
  void clear_backoff() { backoff_ = 0; }

  uint64_t rto_us() const;
  uint64_t srtt_us() const { return srtt_us_; }
  uint64_t rttvar_us() const { return rttvar_us_; }
  bool has_sample() const { return has_sample_; }
  int backoff() const { return backoff_; }

private:
  uint64_t min_us_ = 200000;
  uint64_t max_us_ = 120000000;
  uint64_t base_us_ = 1000000; // the RTO before backoff
  uint64_t srtt_us_ = 0;
  uint64_t rttvar_us_ = 0;
  bool has_sample_ = false;
  int backoff_ = 0;
};

} // namespace net::tcp
