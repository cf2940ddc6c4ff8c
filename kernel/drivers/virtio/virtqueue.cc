#include "drivers/virtio/virtqueue.h"

#include "lib/string.h"

namespace virtio {
namespace {

constexpr size_t kRingAlign = 4096; // the legacy layout's used-ring alignment

constexpr size_t align_up(size_t v, size_t a) {
  return (v + a - 1) & ~(a - 1);
}

// The device reads what we wrote only after the index that publishes it, and we read what
// it wrote only after seeing its index: on x86 (TSO) a compiler barrier orders those.
inline void compiler_barrier() {
  asm volatile("" ::: "memory");
}
// Store then load of a different location (our index, then the device's event field or
// flags): x86 may reorder that pair, and a lost notification or interrupt would stall.
inline void full_barrier() {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

} // namespace

size_t Virtqueue::used_offset(uint16_t size) {
  // descriptors, then avail: flags, idx, ring[size], used_event.
  return align_up(16u * size + 2u * (3u + size), kRingAlign);
}

size_t Virtqueue::ring_bytes(uint16_t size) {
  // used: flags, idx, ring[size] of 8 bytes, avail_event.
  return used_offset(size) + align_up(2u * 3u + 8u * size, kRingAlign);
}

volatile uint16_t* Virtqueue::avail() const {
  return reinterpret_cast<volatile uint16_t*>(static_cast<uint8_t*>(ring_.virt) +
                                              avail_offset(size_));
}

volatile uint8_t* Virtqueue::used() const {
  return static_cast<volatile uint8_t*>(ring_.virt) + used_offset(size_);
}

uint16_t Virtqueue::used_idx() const {
  return *reinterpret_cast<volatile uint16_t*>(used() + 2);
}

void Virtqueue::init(uint16_t size, DmaRegion ring, DmaRegion indirect, uint16_t max_indirect,
                     bool event_idx) {
  size_ = size <= kMaxSize ? size : kMaxSize;
  ring_ = ring;
  indirect_ = indirect;
  max_indirect_ = indirect.virt ? max_indirect : 0;
  event_idx_ = event_idx;
  // Both sides read the rings' headers, the device our used_event and we its used ring
  // before the other wrote them: those start zeroed. Descriptors (in the table and in the
  // indirect tables) are each written before a request that uses them is made available,
  // so their memory may hold anything.
  memset(const_cast<uint16_t*>(avail()), 0, 2u * (3u + size_));
  memset(const_cast<uint8_t*>(used()), 0, 2u * 3u + 8u * size_);
  memset(tokens_, 0, sizeof(tokens_[0]) * size_);
  memset(chain_length_, 0, sizeof(chain_length_[0]) * size_);
  // Free list threaded through the descriptors' next fields.
  for (uint16_t i = 0; i < size_; ++i)
    desc()[i].next = static_cast<uint16_t>(i + 1);
  free_head_ = 0;
  num_free_ = size_;
  avail_idx_ = published_idx_ = last_used_ = 0;
  in_flight_ = 0;
  disarm_interrupt();
}

uint16_t Virtqueue::descriptors_needed(uint16_t segments) const {
  return segments > 1 && segments <= max_indirect_ ? 1 : segments;
}

Status Virtqueue::add(const Segment* segments, uint16_t count, void* token) {
  if (count == 0)
    return Err(-EINVAL);
  uint16_t needed = descriptors_needed(count);
  if (needed > num_free_)
    return Err(-ENOSPC);
  uint16_t head = free_head_;
  if (needed == 1 && count > 1) {
    // The whole chain goes into this head's own indirect table (§2.7.5.3).
    auto* table = reinterpret_cast<volatile RingDescriptor*>(
        static_cast<uint8_t*>(indirect_.virt) + static_cast<size_t>(head) * max_indirect_ * 16);
    for (uint16_t i = 0; i < count; ++i) {
      table[i].addr = segments[i].phys;
      table[i].len = segments[i].len;
      uint16_t flags = segments[i].device_writes ? kDescWrite : 0;
      if (i + 1 < count)
        flags |= kDescNext;
      table[i].flags = flags;
      table[i].next = static_cast<uint16_t>(i + 1);
    }
    volatile RingDescriptor& d = desc()[head];
    free_head_ = d.next;
    d.addr = indirect_.phys + static_cast<uint64_t>(head) * max_indirect_ * 16;
    d.len = static_cast<uint32_t>(count * sizeof(RingDescriptor));
    d.flags = kDescIndirect;
  } else {
    uint16_t idx = head;
    for (uint16_t i = 0; i < count; ++i) {
      volatile RingDescriptor& d = desc()[idx];
      d.addr = segments[i].phys;
      d.len = segments[i].len;
      uint16_t flags = segments[i].device_writes ? kDescWrite : 0;
      if (i + 1 < count)
        flags |= kDescNext; // keep `next`: it already links to the following free one
      d.flags = flags;
      if (i + 1 < count)
        idx = d.next;
    }
    free_head_ = desc()[idx].next;
  }
  num_free_ = static_cast<uint16_t>(num_free_ - needed);
  tokens_[head] = token;
  chain_length_[head] = needed;
  ++in_flight_;
  avail()[2 + avail_idx_ % size_] = head;
  ++avail_idx_;
  return status_ok();
}

bool Virtqueue::publish() {
  compiler_barrier(); // descriptors and ring entries before the index (§2.7.13.2)
  uint16_t old_idx = published_idx_;
  avail()[1] = avail_idx_;
  published_idx_ = avail_idx_;
  full_barrier(); // the index before reading what the device asked for (§2.7.13.4)
  volatile uint8_t* u = used();
  if (event_idx_) {
    uint16_t avail_event = *reinterpret_cast<volatile uint16_t*>(u + 4 + 8u * size_);
    return need_event(avail_event, avail_idx_, old_idx);
  }
  return !(*reinterpret_cast<volatile uint16_t*>(u) & kUsedNoNotify);
}

bool Virtqueue::has_used() const {
  return used_idx() != last_used_;
}

void Virtqueue::free_chain(uint16_t head) {
  // Walk to the chain's last ring descriptor and splice the chain onto the free list.
  uint16_t tail = head;
  for (uint16_t i = 1; i < chain_length_[head]; ++i)
    tail = desc()[tail].next;
  desc()[tail].next = free_head_;
  free_head_ = head;
  num_free_ = static_cast<uint16_t>(num_free_ + chain_length_[head]);
  chain_length_[head] = 0;
}

bool Virtqueue::pop_used(void** token, uint32_t* written) {
  if (!has_used())
    return false;
  compiler_barrier(); // the index before the entry it covers
  const volatile uint8_t* entry = used() + 4 + 8u * (last_used_ % size_);
  uint32_t id = *reinterpret_cast<const volatile uint32_t*>(entry);
  uint32_t len = *reinterpret_cast<const volatile uint32_t*>(entry + 4);
  ++last_used_;
  if (id >= size_ || chain_length_[id] == 0)
    return false; // a device bug; nothing sensible to hand back
  if (token)
    *token = tokens_[id];
  if (written)
    *written = len;
  tokens_[id] = nullptr;
  free_chain(static_cast<uint16_t>(id));
  --in_flight_;
  return true;
}

bool Virtqueue::arm_interrupt() {
  if (event_idx_)
    avail()[2 + size_] = last_used_; // used_event: interrupt once the device passes it
  else
    avail()[0] = 0;
  full_barrier(); // the request before the re-check (§2.7.10)
  return !has_used();
}

void Virtqueue::disarm_interrupt() {
  if (event_idx_)
    // With EVENT_IDX the flag is ignored; an event index far behind suppresses instead
    // (the device interrupts only when crossing it, which takes 32768 more completions).
    avail()[2 + size_] = static_cast<uint16_t>(last_used_ - 0x8000);
  else
    avail()[0] = kAvailNoInterrupt;
}

} // namespace virtio
