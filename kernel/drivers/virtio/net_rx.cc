// virtio-net receive: the ring is kept full of packet buffers the device writes into
// (§5.1.6.3); each returned buffer becomes the received packet itself (zero copy), its
// virtio-net header pulled off. A frame spread over several buffers (MRG_RXBUF with frames
// larger than one buffer, which only larger MTUs produce) is gathered into one packet.
#include "drivers/virtio/net.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "net/netdev.h"

namespace virtio {

Status NetDevice::start_rx() {
  // One buffer per descriptor (two when the header needs its own).
  size_t per_buffer = split_header_ ? 2 : 1;
  size_t fits = rx_->size() / per_buffer;
  rx_target_ = fits < kMaxRxBuffers ? fits : kMaxRxBuffers;
  while (rx_posted_ < rx_target_)
    if (!post_rx_buffer())
      break;
  if (rx_posted_ == 0)
    return Err(-ENOMEM);
  rx_->arm_interrupt();
  return status_ok();
}

bool NetDevice::post_rx_buffer() {
  net::PacketPtr p = net::PacketPtr::allocate(kRxHeadroom, kRxBufferBytes);
  if (!p) {
    ++stats_.rx_no_buffer;
    return false;
  }
  uint64_t phys = mm::virt_to_phys(p->data());
  Virtqueue::Segment seg[2];
  uint16_t n = 0;
  if (split_header_) {
    seg[n++] = {phys, static_cast<uint32_t>(header_size_), true};
    seg[n++] = {phys + header_size_, static_cast<uint32_t>(kRxBufferBytes - header_size_), true};
  } else {
    seg[n++] = {phys, static_cast<uint32_t>(kRxBufferBytes), true};
  }
  if (!rx_->add(seg, n, p.get()))
    return false;
  p.release(); // the ring holds it until the device returns it
  ++rx_posted_;
  return true;
}

void NetDevice::refill_rx() {
  bool added = false;
  while (rx_posted_ < rx_target_ && post_rx_buffer())
    added = true;
  if (added && rx_->kick())
    ++stats_.rx_kicks;
}

net::PacketPtr NetDevice::take_rx_buffer(uint32_t* written) {
  void* token;
  if (!rx_->pop(&token, written))
    return net::PacketPtr();
  --rx_posted_;
  return net::PacketPtr(static_cast<net::Packet*>(token));
}

// The first buffer (header included) and the `count - 1` that follow it in the used ring,
// copied into one packet.
net::PacketPtr NetDevice::merge_rx_buffers(net::PacketPtr first, uint16_t count) {
  net::PacketPtr whole = net::PacketPtr::allocate(kRxHeadroom, count * kRxBufferBytes);
  bool ok = whole && whole->append(first->data(), first->length());
  for (uint16_t i = 1; i < count; ++i) {
    uint32_t written;
    net::PacketPtr part = take_rx_buffer(&written);
    if (!part)
      return net::PacketPtr(); // the device said more were coming: drop the frame
    ok = ok && written <= kRxBufferBytes && whole->append(part->data(), written);
  }
  if (!ok)
    return net::PacketPtr();
  return whole;
}

void NetDevice::receive_returned() {
  bool trust_checksums = dev_->has(kNetGuestCsum);
  bool any = false;
  for (;;) {
    uint32_t written;
    net::PacketPtr p = take_rx_buffer(&written);
    if (!p)
      break;
    if (written < header_size_ || written > kRxBufferBytes) {
      ++stats_.rx_dropped;
      continue;
    }
    p->put(written);
    NetHeader h = decode_net_header(p->data(), header_size_);
    if (mergeable_ && h.num_buffers > 1)
      p = merge_rx_buffers(p.take(), h.num_buffers);
    if (!p || !p->pull(header_size_)) {
      ++stats_.rx_dropped;
      continue;
    }
    p->rx_checksum_valid = trust_checksums && received_checksum_ok(h);
    ++stats_.rx_frames;
    any = true;
    net::netdev::receive_in_batch(*this, p.take());
  }
  if (any) {
    ++stats_.rx_batches;
    net::netdev::end_receive_batch();
  }
  refill_rx();
}

} // namespace virtio
