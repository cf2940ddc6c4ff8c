// Time for the stack, injected: the kernel supplies its monotonic clock, host tests a
// variable they advance. Every timeout (ARP, reassembly, path MTU, DHCP) reads it.
#pragma once

#include <stdint.h>

namespace net {

class Clock {
public:
  virtual ~Clock() = default;
  virtual uint64_t now_ns() const = 0;
};

constexpr uint64_t kNsPerMs = 1000000ull;
constexpr uint64_t kNsPerSecond = 1000000000ull;

} // namespace net
