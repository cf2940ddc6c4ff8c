// Congestion control: slow start and the response to loss (RFC 5681), with the congestion
// avoidance growth of either NewReno (RFC 5681/6582, one segment per window of data
// acknowledged) or CUBIC (RFC 8312: a cubic function of the time since the last loss, never
// slower than Reno). Fast recovery itself (which segments to resend, when recovery ends) is
// the connection's; this class only owns cwnd and ssthresh. Integer arithmetic only: the
// kernel has no floating point.
#pragma once

#include <stdint.h>

namespace net::tcp {

enum class CongestionAlgorithm : uint8_t { NewReno, Cubic };

class Congestion {
public:
  void init(CongestionAlgorithm algorithm, uint32_t mss);
  void set_mss(uint32_t mss);

  uint32_t cwnd() const { return cwnd_; }
  uint32_t ssthresh() const { return ssthresh_; }
  CongestionAlgorithm algorithm() const { return algorithm_; }

  // New data was acknowledged outside fast recovery. srtt_us may be 0 (no sample yet).
  void on_ack(uint32_t acked_bytes, uint64_t now_us, uint64_t srtt_us);
  // Three duplicate ACKs: fast retransmit. cwnd drops to the new ssthresh.
  void on_loss(uint32_t flight_bytes);
  // Recovery ended with a full acknowledgment (RFC 6582 3.2 step 3: deflate to ssthresh).
  void on_recovery_end() { cwnd_ = ssthresh_; }
  // A retransmission timeout: ssthresh set (only for the first timeout of a series),
  // cwnd = one segment (RFC 5681 3.1, the loss window).
  void on_timeout(uint32_t flight_bytes, bool first_timeout);

private:
  void cubic_avoidance(uint32_t acked, uint64_t now_us, uint64_t srtt_us);
  uint32_t reduced_ssthresh(uint32_t flight_bytes) const;

  CongestionAlgorithm algorithm_ = CongestionAlgorithm::Cubic;
  uint32_t mss_ = 536;
  uint32_t cwnd_ = 0;
  uint32_t ssthresh_ = 0xFFFFFFFF;
  uint32_t acked_accumulator_ = 0; // Reno: bytes acknowledged toward the next +1 MSS

  // CUBIC state (RFC 8312 section 4).
  uint32_t w_max_ = 0;          // cwnd just before the last reduction
  uint64_t epoch_start_us_ = 0; // 0: a new epoch starts at the next ACK
  uint64_t k_ms_ = 0;           // time to get back to w_max
  uint32_t origin_ = 0;         // the plateau of the cubic curve
  uint32_t w_est_ = 0;          // what Reno would have by now (the TCP-friendly region)
  uint64_t est_accumulator_ = 0;
};

// floor(cbrt(x)) for 64-bit integers (exposed for tests).
uint64_t integer_cbrt(uint64_t x);

} // namespace net::tcp
