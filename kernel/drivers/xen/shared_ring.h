// The front-end half of Xen's shared I/O ring, the one layout every split driver (blkif,
// netif's transmit and receive rings) uses: one page that starts with four 32-bit indexes
// (req_prod, req_event, rsp_prod, rsp_event) padded to 64 bytes, then a power-of-two number
// of slots, each large enough for a request or a response (a response overwrites the request
// it answers). Indexes run freely modulo 2^32; a slot is index % slots.
//
// Notification ("event index") rules: a side sets the other side's *_event to the index of
// the first entry it wants an event for; the producer notifies when its new producer index
// passed that value in this push. Pure bookkeeping, host-tested (shared_ring_test.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen_ring {

constexpr size_t kPageSize = 4096;
constexpr size_t kHeaderSize = 64;

// The largest power of two of slots of `entry_size` bytes that fit after the header.
constexpr size_t slots_for(size_t entry_size) {
  size_t n = 1;
  while (kHeaderSize + 2 * n * entry_size <= kPageSize)
    n *= 2;
  return n;
}

class FrontRing {
public:
  // Resets the shared indexes (the page must be ours, not yet granted) and asks for an
  // event at the first response.
  void init(volatile uint8_t* page, size_t entry_size);
  // The next free slot for a request, or nullptr while every slot is taken (requests
  // unanswered, or responses not consumed yet).
  volatile void* next_request();
  // Publishes the requests written since the last push. True when the back-end asked to
  // be notified of one of them (it set req_event within the range just published).
  bool push();
  // The next unconsumed response, or nullptr; consume() frees its slot.
  const volatile void* peek_response() const;
  void consume();
  // Asks for an event at the next response, then looks again: true when responses arrived
  // meanwhile (they raised no event for us, so the caller must go on consuming).
  bool arm_and_check();
  size_t in_flight() const { return req_prod_pvt_ - rsp_cons_; }
  size_t slots() const { return slots_; }
  // The position (free-running index) of the next response, and of the next request.
  uint32_t response_index() const { return rsp_cons_; }
  uint32_t request_index() const { return req_prod_pvt_; }

private:
  volatile uint32_t* index(size_t n) const {
    return reinterpret_cast<volatile uint32_t*>(page_) + n;
  }
  volatile uint8_t* slot(uint32_t i) const {
    return page_ + kHeaderSize + (i & (slots_ - 1)) * entry_size_;
  }
  volatile uint8_t* page_ = nullptr;
  size_t entry_size_ = 0;
  size_t slots_ = 0;
  uint32_t req_prod_pvt_ = 0; // requests written, published or not
  uint32_t req_prod_published_ = 0;
  uint32_t rsp_cons_ = 0;
};

// A FrontRing whose slots hold Request/Response.
template <typename Request, typename Response> class TypedFrontRing {
public:
  static constexpr size_t kEntrySize = sizeof(Request) > sizeof(Response) ? sizeof(Request)
                                                                          : sizeof(Response);
  static constexpr size_t kSlots = slots_for(kEntrySize);

  void init(volatile uint8_t* page) { ring_.init(page, kEntrySize); }
  volatile Request* next_request() { return static_cast<volatile Request*>(ring_.next_request()); }
  bool push() { return ring_.push(); }
  const volatile Response* peek_response() const {
    return static_cast<const volatile Response*>(ring_.peek_response());
  }
  void consume() { ring_.consume(); }
  bool arm_and_check() { return ring_.arm_and_check(); }
  size_t in_flight() const { return ring_.in_flight(); }
  uint32_t response_index() const { return ring_.response_index(); }
  uint32_t request_index() const { return ring_.request_index(); }

private:
  FrontRing ring_;
};

} // namespace xen_ring
