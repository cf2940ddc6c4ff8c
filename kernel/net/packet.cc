#include "net/packet.h"

#include "lib/string.h"
#include "net/bytes.h"
#include "net/checksum.h"
#ifdef KERNEL_HOST_BUILD
#include <new>
#else
#include "lib/new.h"
#endif

namespace net {

Packet* Packet::allocate(size_t headroom, size_t capacity) {
  size_t size = headroom + capacity;
  if (size < headroom) // overflow
    return nullptr;
  auto* buffer = new (std::nothrow) uint8_t[size ? size : 1];
  if (!buffer)
    return nullptr;
  auto* packet = new (std::nothrow) Packet;
  if (!packet) {
    delete[] buffer;
    return nullptr;
  }
  packet->buffer_ = buffer;
  packet->size_ = size;
  packet->start_ = headroom;
  return packet;
}

void Packet::release(Packet* packet) {
  if (!packet)
    return;
  delete[] packet->buffer_;
  delete packet;
}

uint8_t* Packet::push(size_t n) {
  if (n > start_)
    return nullptr;
  start_ -= n;
  length_ += n;
  return data();
}

bool Packet::pull(size_t n) {
  if (n > length_)
    return false;
  start_ += n;
  length_ -= n;
  return true;
}

uint8_t* Packet::put(size_t n) {
  if (n > tailroom())
    return nullptr;
  uint8_t* at = data() + length_;
  length_ += n;
  return at;
}

bool Packet::append(const void* bytes, size_t n) {
  uint8_t* at = put(n);
  if (!at)
    return false;
  memcpy(at, bytes, n);
  return true;
}

void Packet::trim(size_t len) {
  if (len < length_)
    length_ = len;
}

void Packet::set_tx_checksum(size_t start, size_t offset, bool zero_means_none) {
  tx_csum_needed_ = true;
  tx_csum_pos_ = start_ + start;
  tx_csum_offset_ = static_cast<uint16_t>(offset);
  tx_csum_zero_means_none_ = zero_means_none;
}

void Packet::finish_tx_checksum() {
  if (!tx_csum_needed_)
    return;
  tx_csum_needed_ = false;
  size_t end = start_ + length_;
  if (tx_csum_pos_ < start_ || tx_csum_pos_ + tx_csum_offset_ + 2 > end)
    return; // the positions no longer fit the data: nothing sane to do
  uint16_t sum;
  if (tx_known_end_ == end && tx_known_from_ < end && tx_known_from_ >= tx_csum_pos_ &&
      ((tx_known_from_ - tx_csum_pos_) & 1) == 0)
    sum = static_cast<uint16_t>(~checksum_fold(
        checksum_partial(buffer_ + tx_csum_pos_, tx_known_from_ - tx_csum_pos_, tx_known_sum_)));
  else
    sum = internet_checksum(buffer_ + tx_csum_pos_, end - tx_csum_pos_);
  if (sum == 0 && tx_csum_zero_means_none_)
    sum = 0xFFFF; // UDP: 0 would mean "no checksum" (RFC 768)
  put_be16(buffer_ + tx_csum_pos_ + tx_csum_offset_, sum);
}

PacketQueue::PacketQueue(PacketQueue&& o)
    : head_(o.head_), tail_(o.tail_), count_(o.count_), bytes_(o.bytes_) {
  o.head_ = o.tail_ = nullptr;
  o.count_ = o.bytes_ = 0;
}

PacketQueue& PacketQueue::operator=(PacketQueue&& o) {
  if (this != &o) {
    clear();
    head_ = o.head_;
    tail_ = o.tail_;
    count_ = o.count_;
    bytes_ = o.bytes_;
    o.head_ = o.tail_ = nullptr;
    o.count_ = o.bytes_ = 0;
  }
  return *this;
}

void PacketQueue::push_back(PacketPtr p) {
  Packet* packet = p.release();
  if (!packet)
    return;
  packet->next = nullptr;
  if (tail_)
    tail_->next = packet;
  else
    head_ = packet;
  tail_ = packet;
  ++count_;
  bytes_ += packet->length();
}

PacketPtr PacketQueue::pop_front() {
  Packet* packet = head_;
  if (!packet)
    return PacketPtr();
  head_ = packet->next;
  if (!head_)
    tail_ = nullptr;
  packet->next = nullptr;
  --count_;
  bytes_ -= packet->length() <= bytes_ ? packet->length() : bytes_;
  return PacketPtr(packet);
}

void PacketQueue::clear() {
  while (head_)
    pop_front();
}

} // namespace net
