// The Xen block-device ring (blkif) as the front-end fills it: one shared page, a 64-byte
// header of indexes, then 32 slots of 112 bytes each holding a request or, once served, its
// response. Pure layout and bookkeeping, host-tested (blkif_test.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace blkif {

enum Operation : uint8_t { kRead = 0, kWrite = 1, kFlushDiskCache = 3 };
enum Status : int16_t { kOkay = 0, kError = -1, kNotSupported = -2 };

constexpr size_t kMaxSegments = 11; // per request, one page each
constexpr size_t kSectorSize = 512;
constexpr size_t kSectorsPerPage = 4096 / kSectorSize;

struct Segment {
  uint32_t gref;
  uint8_t first_sect; // 512-byte sectors within the granted page
  uint8_t last_sect;  // inclusive
  uint16_t pad;
};
static_assert(sizeof(Segment) == 8);

struct Request {
  uint8_t operation;
  uint8_t nr_segments;
  uint16_t handle;
  uint32_t pad;
  uint64_t id;
  uint64_t sector_number;
  Segment seg[kMaxSegments];
};
static_assert(sizeof(Request) == 112);

struct Response {
  uint64_t id;
  uint8_t operation;
  uint8_t pad;
  int16_t status;
};
static_assert(sizeof(Response) == 12 || sizeof(Response) == 16);

// The shared page: req_prod, req_event, rsp_prod, rsp_event, then padding to 64 bytes,
// then the slots. Slot count: the largest power of two that fits.
constexpr size_t kHeaderSize = 64;
constexpr size_t kSlotSize = sizeof(Request);
constexpr size_t kSlots = 32;
static_assert(kHeaderSize + kSlots * kSlotSize <= 4096 &&
              kHeaderSize + 2 * kSlots * kSlotSize > 4096);

class FrontRing {
public:
  // Initialises the shared indexes (the page must be ours, not yet granted).
  void init(volatile uint8_t* page);
  // The next free slot, or nullptr when every slot holds an unanswered request.
  volatile Request* next_request();
  // Publishes the requests written since the last push.
  void push();
  // The next response, or nullptr; consume() frees its slot.
  const volatile Response* peek_response() const;
  void consume();
  size_t in_flight() const { return req_prod_pvt_ - rsp_cons_; }

private:
  volatile uint32_t* index(size_t n) const {
    return reinterpret_cast<volatile uint32_t*>(page_) + n;
  }
  volatile uint8_t* slot(uint32_t i) const {
    return page_ + kHeaderSize + (i % kSlots) * kSlotSize;
  }
  volatile uint8_t* page_ = nullptr;
  uint32_t req_prod_pvt_ = 0; // requests written, published or not
  uint32_t rsp_cons_ = 0;
};

// Fills `req`'s segments for `sectors` sectors starting at the first of `pages` granted
// pages: each page carries up to 8 sectors. Returns the number of sectors covered (at most
// kMaxSegments pages' worth).
size_t fill_segments(volatile Request* req, const uint32_t* grefs, size_t sectors);

} // namespace blkif
