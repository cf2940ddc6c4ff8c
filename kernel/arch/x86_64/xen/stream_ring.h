// One direction of the byte streams Xen shares with a daemon on a page (the PV console's
// input and output, xenstore's requests and responses): `size` bytes of ring at `data` and
// two free-running 32-bit indexes. The producer copies bytes in and then moves `prod`; the
// consumer copies bytes out and then moves `cons`. Pure logic over shared memory, host-tested
// (stream_ring_test.cc); the console ring and the xenstore ring are layouts of two of these.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

class StreamRing {
public:
  // `size` must be a power of two so that the free-running indexes wrap with the ring.
  StreamRing(volatile uint8_t* data, uint32_t size, volatile uint8_t* cons, volatile uint8_t* prod)
      : data_(data), size_(size), cons_(cons), prod_(prod) {}

  // Copies as much of `src` as fits and publishes it; returns the bytes taken (0: full).
  size_t produce(const void* src, size_t len);
  // Takes up to `len` waiting bytes and frees their room; returns the bytes taken.
  size_t consume(void* dst, size_t len);
  // Copies `len` waiting bytes without taking them; false when fewer are waiting.
  bool peek(void* dst, size_t len) const;
  // Bytes produced and not yet consumed; 0 when the indexes are inconsistent (the producer
  // more than a ring ahead), so a corrupt page is never read from.
  size_t waiting() const;
  // The indexes are consistent.
  bool sane() const;

private:
  uint32_t load(volatile uint8_t* index) const;
  void store(volatile uint8_t* index, uint32_t value);
  void copy_out(uint32_t cons, void* dst, size_t n) const;

  volatile uint8_t* data_;
  uint32_t size_;
  volatile uint8_t* cons_;
  volatile uint8_t* prod_;
};

} // namespace xen
