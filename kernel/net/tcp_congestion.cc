#include "net/tcp_congestion.h"

namespace net::tcp {
namespace {
// CUBIC constants (RFC 8312 section 5): beta = 0.7, C = 0.4, as fractions.
constexpr uint64_t kBetaNum = 7, kBetaDen = 10;
constexpr uint64_t kCNum = 4, kCDen = 10;
// Reno-friendly additive increase alpha = 3 * (1 - beta) / (1 + beta) = 0.529...
constexpr uint64_t kAlphaMilli = 529;
} // namespace

uint64_t integer_cbrt(uint64_t x) {
  uint64_t lo = 0, hi = 2642245; // 2642245^3 > 2^64 - 1
  while (lo < hi) {
    uint64_t mid = (lo + hi + 1) / 2;
    if (mid * mid * mid <= x)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

void Congestion::init(CongestionAlgorithm algorithm, uint32_t mss) {
  algorithm_ = algorithm;
  mss_ = mss;
  // RFC 6928: an initial window of min(10 * MSS, max(2 * MSS, 14600)) bytes.
  uint32_t ten = 10 * mss;
  uint32_t floor = 2 * mss > 14600 ? 2 * mss : 14600;
  cwnd_ = ten < floor ? ten : floor;
  ssthresh_ = 0xFFFFFFFF;
  acked_accumulator_ = 0;
  w_max_ = 0;
  epoch_start_us_ = 0;
}

void Congestion::set_mss(uint32_t mss) {
  mss_ = mss;
}

uint32_t Congestion::reduced_ssthresh(uint32_t flight_bytes) const {
  uint64_t base = algorithm_ == CongestionAlgorithm::Cubic ? cwnd_ : flight_bytes;
  uint64_t s = algorithm_ == CongestionAlgorithm::Cubic ? base * kBetaNum / kBetaDen : base / 2;
  uint64_t floor = 2ull * mss_;
  return static_cast<uint32_t>(s > floor ? s : floor);
}

void Congestion::on_ack(uint32_t acked, uint64_t now_us, uint64_t srtt_us) {
  if (cwnd_ < ssthresh_) {
    // Slow start (RFC 5681 3.1, with byte counting limited to one SMSS per ACK).
    cwnd_ += acked < mss_ ? acked : mss_;
    return;
  }
  if (algorithm_ == CongestionAlgorithm::Cubic) {
    cubic_avoidance(acked, now_us, srtt_us);
    return;
  }
  // Reno congestion avoidance: one SMSS per cwnd of data acknowledged.
  acked_accumulator_ += acked;
  if (acked_accumulator_ >= cwnd_) {
    acked_accumulator_ -= cwnd_;
    cwnd_ += mss_;
  }
}

void Congestion::on_loss(uint32_t flight_bytes) {
  if (algorithm_ == CongestionAlgorithm::Cubic) {
    // Fast convergence (RFC 8312 4.6): a flow whose plateau keeps dropping gives way.
    if (cwnd_ < w_max_)
      w_max_ = static_cast<uint32_t>(uint64_t{cwnd_} * (kBetaDen + kBetaNum) / (2 * kBetaDen));
    else
      w_max_ = cwnd_;
    epoch_start_us_ = 0;
  }
  ssthresh_ = reduced_ssthresh(flight_bytes);
  cwnd_ = ssthresh_;
  acked_accumulator_ = 0;
}

void Congestion::on_timeout(uint32_t flight_bytes, bool first_timeout) {
  if (first_timeout) {
    if (algorithm_ == CongestionAlgorithm::Cubic) {
      w_max_ = cwnd_;
      epoch_start_us_ = 0;
    }
    ssthresh_ = reduced_ssthresh(flight_bytes);
  }
  cwnd_ = mss_;
  acked_accumulator_ = 0;
}

void Congestion::cubic_avoidance(uint32_t acked, uint64_t now_us, uint64_t srtt_us) {
  if (epoch_start_us_ == 0) {
    epoch_start_us_ = now_us ? now_us : 1;
    w_est_ = cwnd_;
    est_accumulator_ = 0;
    if (cwnd_ < w_max_) {
      // K = cbrt((W_max - cwnd) / C) seconds, with W in segments; computed in ms^3.
      uint64_t gap_segments_milli = (uint64_t{w_max_ - cwnd_} * 1000) / mss_;
      uint64_t k_cubed_ms = gap_segments_milli * kCDen / kCNum * 1000000; // (gap/C) s^3 in ms^3
      k_ms_ = integer_cbrt(k_cubed_ms);
      origin_ = w_max_;
    } else {
      k_ms_ = 0;
      origin_ = cwnd_;
    }
  }
  // The curve is evaluated one RTT ahead (RFC 8312 4.1: W_cubic(t + RTT)).
  int64_t t_ms = static_cast<int64_t>((now_us - epoch_start_us_ + srtt_us) / 1000);
  int64_t d = t_ms - static_cast<int64_t>(k_ms_);
  if (d > 1000000)
    d = 1000000;
  if (d < -1000000)
    d = -1000000;
  // C * d^3 segments with d in ms: 0.4 * d^3 / 1e9 segments. |d| <= 1e6 keeps d^3 within
  // 64 bits, and dividing by 1e6 first keeps the product with the MSS there too.
  int64_t cube = d * d * d / 1000000;
  int64_t delta = cube * static_cast<int64_t>(kCNum) * mss_ / (static_cast<int64_t>(kCDen) * 1000);
  int64_t target = static_cast<int64_t>(origin_) + delta;
  if (target < static_cast<int64_t>(mss_))
    target = mss_;
  if (target > static_cast<int64_t>(cwnd_) * 3 / 2)
    target = static_cast<int64_t>(cwnd_) * 3 / 2; // RFC 8312 4.1 upper bound on growth

  // The Reno-friendly estimate grows alpha segments per window acknowledged.
  est_accumulator_ += uint64_t{acked} * kAlphaMilli;
  uint64_t per_mss = uint64_t{w_est_} * 1000;
  while (per_mss > 0 && est_accumulator_ >= per_mss) {
    est_accumulator_ -= per_mss;
    w_est_ += mss_;
  }

  uint32_t t32 = static_cast<uint32_t>(target);
  if (t32 < w_est_) {
    if (w_est_ > cwnd_)
      cwnd_ = w_est_;
    return;
  }
  if (t32 > cwnd_) {
    // cwnd += (target - cwnd) / cwnd segments per segment acknowledged.
    cwnd_ += static_cast<uint32_t>(uint64_t{t32 - cwnd_} * acked / cwnd_);
  }
}

} // namespace net::tcp
