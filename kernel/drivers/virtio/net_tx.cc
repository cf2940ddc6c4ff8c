// virtio-net transmit (§5.1.6.2): the header goes into the frame's headroom and the frame
// leaves from its own buffer. transmit() never blocks: when the ring is full the frame
// waits in a bounded overflow queue, which completions drain (the transmit interrupt is
// armed only then; otherwise finished frames are taken back on the next transmit, by the
// deferred work or by the watchdog).
#include "drivers/virtio/net.h"
#include "mm/layout.h"

namespace virtio {

void NetDevice::fill_tx_header(net::Packet& frame, uint8_t* header) {
  NetHeader h;
  if (frame.tx_checksum_needed() && tx_checksum_offload) {
    // Positions count from the Ethernet frame, which starts right after the header.
    h.flags = NetHeader::kNeedsCsum;
    h.csum_start = static_cast<uint16_t>(frame.tx_checksum_start() - header_size_);
    h.csum_offset = static_cast<uint16_t>(frame.tx_checksum_offset());
    if (frame.gso_size && tx_large_send_max) {
      // §5.1.6.2: the device cuts the TCP segment into gso_size payloads; hdr_len covers
      // the headers it copies into each (Ethernet, IPv4 and TCP with options).
      h.gso_type = NetHeader::kGsoTcpV4;
      h.hdr_len = static_cast<uint16_t>(h.csum_start + frame.gso_header);
      h.gso_size = frame.gso_size;
    }
  }
  encode_net_header(h, header, header_size_);
}

bool NetDevice::enqueue_tx(net::PacketPtr& frame) {
  uint16_t segments = split_header_ ? 2 : 1;
  if (tx_->free_descriptors() < tx_->descriptors_needed(segments))
    return false;
  if (frame->tx_checksum_needed() && !tx_checksum_offload)
    frame->finish_tx_checksum(); // the stack normally did this already
  if (frame->headroom() < header_size_) {
    // Built without room in front (rare): a copy that has it.
    net::PacketPtr copy = net::PacketPtr::allocate(net::kPacketHeadroom, frame->length());
    if (!copy || !copy->append(frame->data(), frame->length()))
      return true; // out of memory: dropped, as a full device queue would
    if (frame->tx_checksum_needed())
      copy->set_tx_checksum(frame->tx_checksum_start(), frame->tx_checksum_offset(),
                            frame->tx_checksum_zero_means_none());
    copy->gso_size = frame->gso_size;
    copy->gso_header = frame->gso_header;
    frame = copy.take();
  }
  uint8_t* header = frame->push(header_size_);
  fill_tx_header(*frame, header);
  uint64_t phys = mm::virt_to_phys(header);
  uint32_t total = static_cast<uint32_t>(frame->length());
  Virtqueue::Segment seg[2];
  if (split_header_) {
    seg[0] = {phys, static_cast<uint32_t>(header_size_), false};
    seg[1] = {phys + header_size_, static_cast<uint32_t>(total - header_size_), false};
  } else {
    seg[0] = {phys, total, false};
  }
  if (!tx_->add(seg, segments, frame.get())) {
    frame->pull(header_size_);
    return false;
  }
  frame.release(); // the ring holds it until the device returns it
  ++stats_.tx_frames;
  return true;
}

void NetDevice::reap_tx() {
  void* token;
  uint32_t written;
  while (tx_->pop(&token, &written)) {
    net::Packet::release(static_cast<net::Packet*>(token));
    ++tx_completed_;
  }
  if (tx_overflow_.empty())
    return;
  bool added = false;
  uint16_t needed = tx_->descriptors_needed(split_header_ ? 2 : 1);
  while (!tx_overflow_.empty() && tx_->free_descriptors() >= needed) {
    net::PacketPtr next = tx_overflow_.pop_front();
    if (!enqueue_tx(next))
      break; // cannot happen with the descriptors checked; the frame is dropped
    added = true;
  }
  if (added)
    kick_tx();
  if (tx_overflow_.empty())
    tx_->disarm_interrupt();
  else if (!tx_->arm_interrupt())
    sched::defer(&service_.work); // completions came meanwhile: drain again soon
}

void NetDevice::kick_tx() {
  tx_kick_pending_ = false;
  if (tx_->kick())
    ++stats_.tx_kicks;
  else
    ++stats_.tx_kicks_suppressed;
}

void NetDevice::transmit(net::PacketPtr frame) {
  if (!frame)
    return;
  if (!link_up_) {
    ++stats_.tx_dropped; // no carrier: the frame could go nowhere
    return;
  }
  reap_tx();
  if (tx_overflow_.empty() && enqueue_tx(frame)) {
    if (in_service_)
      tx_kick_pending_ = true; // service() notifies once after the whole batch
    else
      kick_tx();
    return;
  }
  if (tx_overflow_.count() >= kTxOverflowLimit) {
    ++stats_.tx_dropped;
    return;
  }
  ++stats_.tx_queued;
  tx_overflow_.push_back(frame.take());
  if (!tx_->arm_interrupt())
    sched::defer(&service_.work);
}

} // namespace virtio
