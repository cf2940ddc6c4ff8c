#include "net/tcp_rto.h"

namespace net::tcp {
namespace {
constexpr uint64_t kGranularityUs = 1000; // G: the timestamp clock ticks in milliseconds

uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}
} // namespace

void RtoEstimator::init(uint64_t min_us, uint64_t max_us, uint64_t initial_us) {
  min_us_ = min_us;
  max_us_ = max_us;
  base_us_ = initial_us;
  srtt_us_ = rttvar_us_ = 0;
  has_sample_ = false;
  backoff_ = 0;
}

void RtoEstimator::add_sample(uint64_t rtt_us) {
  if (!has_sample_) {
    srtt_us_ = rtt_us; // RFC 6298 2.2
    rttvar_us_ = rtt_us / 2;
    has_sample_ = true;
  } else {
    // RFC 6298 2.3 with alpha = 1/8, beta = 1/4; the variance uses the old SRTT.
    uint64_t err = srtt_us_ > rtt_us ? srtt_us_ - rtt_us : rtt_us - srtt_us_;
    rttvar_us_ = (3 * rttvar_us_ + err) / 4;
    srtt_us_ = (7 * srtt_us_ + rtt_us) / 8;
  }
  uint64_t var = 4 * rttvar_us_;
  base_us_ = srtt_us_ + (var > kGranularityUs ? var : kGranularityUs);
  backoff_ = 0;
}

void RtoEstimator::back_off() {
  if (backoff_ < 30)
    ++backoff_;
}

uint64_t RtoEstimator::rto_us() const {
  uint64_t rto = clamp(base_us_, min_us_, max_us_);
  for (int i = 0; i < backoff_ && rto < max_us_; ++i)
    rto *= 2;
  return rto < max_us_ ? rto : max_us_;
}

} // namespace net::tcp
