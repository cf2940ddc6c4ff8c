// netfront receive and transmit (netfront.h has the design). Frames are copied out of the
// receive pages into fresh packets and into the transmit pages from the stack's packets:
// the granted pages never change hands, so no grant is ever revoked or re-issued.
#include "arch/x86_64/xen/hypercall.h"
#include "drivers/xen/netfront.h"
#include "lib/string.h"
#include "mm/vm.h"
#include "net/netdev.h"

namespace xen_drivers {
namespace {
// A frame in several parts (only a back-end that ignores feature-sg = 0 sends one) is
// gathered up to this size.
constexpr size_t kMaxGatheredFrame = 65536;

const uint8_t* page_bytes(uint64_t phys) {
  return static_cast<const uint8_t*>(mm::phys_to_virt(phys));
}
} // namespace

void NetFront::post_rx(uint16_t page) {
  // Never full: there are fewer receive pages than ring slots.
  volatile netif::RxRequest* req = rx_.next_request();
  rx_page_at_[(rx_.request_index() - 1) % netif::RxRing::kSlots] = page;
  req->id = page;
  req->pad = 0;
  req->gref = rx_pages_[page].ref;
}

void NetFront::fill_rx() {
  for (size_t i = 0; i < kRxPages; ++i)
    post_rx(static_cast<uint16_t>(i));
  (void)rx_.push(); // before connecting: the back-end looks at the ring when it maps it
}

void NetFront::receive_part(uint16_t page, const netif::RxPart& part) {
  if (part.extra)
    rx_skip_extra_ = true;
  bool ok = part.valid && !rx_partial_bad_;
  if (ok && !rx_partial_) {
    rx_partial_ =
        net::PacketPtr::allocate(kRxHeadroom, part.more ? kMaxGatheredFrame : part.length);
    ok = static_cast<bool>(rx_partial_);
    if (ok)
      rx_partial_->rx_checksum_valid = part.checksum_ok;
  }
  if (ok)
    ok = rx_partial_->append(page_bytes(rx_pages_[page].phys) + part.offset, part.length);
  if (!ok)
    rx_partial_bad_ = true;
  if (part.more)
    return;
  net::PacketPtr frame = rx_partial_.take();
  bool bad = rx_partial_bad_;
  rx_partial_bad_ = false;
  if (bad || !frame) {
    ++stats_.rx_dropped;
    return;
  }
  ++stats_.rx_frames;
  net::netdev::receive_in_batch(*this, frame.take()); // receive_all ends the batch
}

void NetFront::receive_all() {
  bool posted = false;
  while (const volatile netif::RxResponse* rsp = rx_.peek_response()) {
    // The back-end fills requests in ring order: the response at a position used the page
    // of the request that was there, whatever the response is.
    uint16_t page = rx_page_at_[rx_.response_index() % netif::RxRing::kSlots];
    uint16_t offset = rsp->offset, flags = rsp->flags;
    int16_t status = rsp->status;
    rx_.consume();
    if (rx_skip_extra_)
      rx_skip_extra_ = false; // an extra-info record (offload metadata): nothing to copy
    else
      receive_part(page, netif::check_rx_response(offset, flags, status));
    post_rx(page);
    posted = true;
  }
  if (!posted)
    return;
  net::netdev::end_receive_batch();
  if (rx_.push())
    xen::notify(port_);
}

bool NetFront::send_now(net::Packet& frame) {
  if (!tx_free_count_)
    return false;
  volatile netif::TxRequest* req = tx_.next_request(); // never full: fewer pages than slots
  if (!req)
    return false;
  uint16_t page = tx_free_[--tx_free_count_];
  memcpy(mm::phys_to_virt(tx_pages_[page].phys), frame.data(), frame.length());
  req->gref = tx_pages_[page].ref;
  req->offset = 0;
  req->flags = 0; // checksums complete, one part, no extra info
  req->id = page;
  req->size = static_cast<uint16_t>(frame.length());
  ++stats_.tx_frames;
  return true;
}

void NetFront::push_tx() {
  if (tx_.push())
    xen::notify(port_);
}

void NetFront::reap_tx() {
  while (const volatile netif::TxResponse* rsp = tx_.peek_response()) {
    uint16_t id = rsp->id;
    int16_t status = rsp->status;
    tx_.consume();
    if (status == netif::kNull)
      continue; // the answer to an extra-info slot (we send none)
    if (status != netif::kOkay)
      ++stats_.tx_errors;
    if (id < kTxPages && tx_free_count_ < kTxPages)
      tx_free_[tx_free_count_++] = id;
  }
  bool sent = false;
  while (!tx_overflow_.empty() && send_now(*tx_overflow_.front())) {
    tx_overflow_.pop_front();
    sent = true;
  }
  if (sent)
    push_tx();
}

void NetFront::transmit(net::PacketPtr frame) {
  if (!frame)
    return;
  if (frame->tx_checksum_needed())
    frame->finish_tx_checksum(); // no offload offered: the stack normally did this already
  if (frame->length() == 0 || frame->length() > netif::kPageSize) {
    ++stats_.tx_dropped;
    return;
  }
  reap_tx();
  if (tx_overflow_.empty() && send_now(*frame)) {
    push_tx();
    return; // copied: the packet is freed here
  }
  if (tx_overflow_.count() >= kTxOverflowLimit) {
    ++stats_.tx_dropped;
    return;
  }
  ++stats_.tx_queued;
  tx_overflow_.push_back(frame.take());
  // Its page comes back with a transmit response: ask for that event.
  if (tx_.arm_and_check())
    sched::defer(&service_.work);
}

} // namespace xen_drivers
