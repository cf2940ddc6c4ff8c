// The Xen PV console's shared page: an input ring of 1024 bytes, an output ring of 2048
// bytes, then the four free-running 32-bit indexes. The guest produces output and consumes
// input; xenconsoled does the opposite. Pure logic over the page's memory, host-tested.
#pragma once

#include "arch/x86_64/xen/stream_ring.h"

#include <stddef.h>
#include <stdint.h>

namespace xen {

class ConsoleRing {
public:
  static constexpr size_t kInSize = 1024;
  static constexpr size_t kOutSize = 2048;
  static constexpr size_t kInConsOffset = 3072;
  static constexpr size_t kInProdOffset = 3076;
  static constexpr size_t kOutConsOffset = 3080;
  static constexpr size_t kOutProdOffset = 3084;

  explicit ConsoleRing(volatile uint8_t* page)
      : in_(page, kInSize, page + kInConsOffset, page + kInProdOffset),
        out_(page + kInSize, kOutSize, page + kOutConsOffset, page + kOutProdOffset) {}

  // Copies as many bytes as fit into the output ring and publishes them (after the bytes
  // are in place). Returns how many were taken; 0 when the ring is full.
  size_t write(const char* data, size_t len);
  // Bytes written but not yet taken by the console daemon (0 when the indexes are corrupt).
  size_t unread_output() const;
  // Takes up to `max` bytes of input. Returns how many.
  size_t read(char* out, size_t max);
  // A page with inconsistent indexes (producer more than a ring ahead) cannot be trusted.
  bool sane() const;

private:
  StreamRing in_;  // the daemon produces, we consume
  StreamRing out_; // we produce, the daemon consumes
};

} // namespace xen
