#include "drivers/xen/shared_ring.h"

namespace xen_ring {
namespace {
enum Index : size_t { kReqProd = 0, kReqEvent = 1, kRspProd = 2, kRspEvent = 3 };
} // namespace

void FrontRing::init(volatile uint8_t* page, size_t entry_size) {
  page_ = page;
  entry_size_ = entry_size;
  slots_ = slots_for(entry_size);
  *index(kReqProd) = 0;
  *index(kReqEvent) = 1;
  *index(kRspProd) = 0;
  *index(kRspEvent) = 1; // an event from the first response on
  req_prod_pvt_ = 0;
  req_prod_published_ = 0;
  rsp_cons_ = 0;
}

volatile void* FrontRing::next_request() {
  if (in_flight() >= slots_)
    return nullptr;
  return slot(req_prod_pvt_++);
}

bool FrontRing::push() {
  uint32_t old_prod = req_prod_published_;
  uint32_t new_prod = req_prod_pvt_;
  // The requests' bytes must be visible before the index that hands them over.
  __atomic_store_n(index(kReqProd), new_prod, __ATOMIC_RELEASE);
  req_prod_published_ = new_prod;
  // The back-end may be updating req_event as it goes idle: our store must be visible
  // before we read its value, or both sides could wait for each other.
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  uint32_t event = __atomic_load_n(index(kReqEvent), __ATOMIC_ACQUIRE);
  // Did this push move the producer past `event`? (unsigned: wraps at 2^32 correctly)
  return static_cast<uint32_t>(new_prod - event) < static_cast<uint32_t>(new_prod - old_prod);
}

const volatile void* FrontRing::peek_response() const {
  uint32_t rsp_prod = __atomic_load_n(index(kRspProd), __ATOMIC_ACQUIRE);
  if (rsp_prod == rsp_cons_)
    return nullptr;
  return slot(rsp_cons_);
}

void FrontRing::consume() {
  ++rsp_cons_;
  // Ask for an event at the next response (the back-end notifies when it passes this).
  __atomic_store_n(index(kRspEvent), rsp_cons_ + 1, __ATOMIC_RELEASE);
}

bool FrontRing::arm_and_check() {
  __atomic_store_n(index(kRspEvent), rsp_cons_ + 1, __ATOMIC_RELEASE);
  // A response produced before the back-end saw the new rsp_event raised no event: look.
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  return __atomic_load_n(index(kRspProd), __ATOMIC_ACQUIRE) != rsp_cons_;
}

} // namespace xen_ring
