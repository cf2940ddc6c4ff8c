#include "drivers/xen/blkif.h"

namespace blkif {

void FrontRing::init(volatile uint8_t* page) {
  page_ = page;
  *index(0) = 0; // req_prod
  *index(1) = 1; // req_event
  *index(2) = 0; // rsp_prod
  *index(3) = 1; // rsp_event: notify us from the first response on
  req_prod_pvt_ = 0;
  rsp_cons_ = 0;
}

volatile Request* FrontRing::next_request() {
  if (in_flight() >= kSlots)
    return nullptr;
  return reinterpret_cast<volatile Request*>(slot(req_prod_pvt_++));
}

void FrontRing::push() {
  // The requests' bytes must be visible before the index that hands them over.
  __atomic_store_n(index(0), req_prod_pvt_, __ATOMIC_RELEASE);
}

const volatile Response* FrontRing::peek_response() const {
  uint32_t rsp_prod = __atomic_load_n(index(2), __ATOMIC_ACQUIRE);
  if (rsp_prod == rsp_cons_)
    return nullptr;
  return reinterpret_cast<const volatile Response*>(slot(rsp_cons_));
}

void FrontRing::consume() {
  ++rsp_cons_;
  // Ask for an event at the next response (the back-end notifies when it passes this).
  __atomic_store_n(index(3), rsp_cons_ + 1, __ATOMIC_RELEASE);
}

size_t fill_segments(volatile Request* req, const uint32_t* grefs, size_t sectors) {
  size_t done = 0;
  uint8_t n = 0;
  while (done < sectors && n < kMaxSegments) {
    size_t here = sectors - done;
    if (here > kSectorsPerPage)
      here = kSectorsPerPage;
    req->seg[n].gref = grefs[n];
    req->seg[n].first_sect = 0;
    req->seg[n].last_sect = static_cast<uint8_t>(here - 1);
    req->seg[n].pad = 0;
    done += here;
    ++n;
  }
  req->nr_segments = n;
  return done;
}

} // namespace blkif
