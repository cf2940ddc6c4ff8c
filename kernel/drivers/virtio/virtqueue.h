// A split virtqueue (virtio 1.x §2.7) as seen by the driver: descriptor table, available
// ring and used ring in one physically contiguous region, plus optional indirect
// descriptor tables (VIRTIO_F_INDIRECT_DESC) and event-index notification suppression
// (VIRTIO_F_RING_EVENT_IDX).
//
// Pure logic on memory the caller provides (no hardware access, no allocation), so the
// host tests drive it against a simulated device. The ring layout is the legacy one (used
// ring at the next 4 KiB boundary), which every transport accepts.
//
// Not thread-safe: the kernel runs with interrupts off on one CPU, and the interrupt top
// half only wakes threads; it never touches the queue.
#pragma once

#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace virtio {

// Memory the device reaches by DMA: a kernel pointer and the physical address it maps to
// (physically contiguous over its whole length).
struct DmaRegion {
  void* virt = nullptr;
  uint64_t phys = 0;
};

// The in-memory layout of the ring structures (virtio 1.x §2.7.5, 2.7.6, 2.7.8).
struct RingDescriptor {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
enum : uint16_t {
  kDescNext = 1,     // VIRTQ_DESC_F_NEXT
  kDescWrite = 2,    // VIRTQ_DESC_F_WRITE: the device writes this buffer
  kDescIndirect = 4, // VIRTQ_DESC_F_INDIRECT: the buffer is a table of descriptors
};
enum : uint16_t {
  kAvailNoInterrupt = 1, // VIRTQ_AVAIL_F_NO_INTERRUPT (without EVENT_IDX)
  kUsedNoNotify = 1,     // VIRTQ_USED_F_NO_NOTIFY (without EVENT_IDX)
};

// True if a party that asked to be told once index `event` is passed must be told, when
// the index moved from `old_idx` to `new_idx` (§2.7.7.2, §2.7.10). All 16-bit, wrapping.
constexpr bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx) {
  return static_cast<uint16_t>(new_idx - event - 1) < static_cast<uint16_t>(new_idx - old_idx);
}

class Virtqueue {
public:
  // One buffer of a request: `len` bytes at physical `phys`, read or written by the device.
  struct Segment {
    uint64_t phys;
    uint32_t len;
    bool device_writes;
  };

  // Bytes of ring memory for `size` entries (size a power of two), 4 KiB aligned.
  static size_t ring_bytes(uint16_t size);
  // Offsets of the available and used rings inside the ring memory.
  static size_t avail_offset(uint16_t size) { return 16u * size; }
  static size_t used_offset(uint16_t size);
  // Bytes of indirect tables: one table of `max_indirect` descriptors per ring entry.
  static size_t indirect_bytes(uint16_t size, uint16_t max_indirect) {
    return static_cast<size_t>(size) * max_indirect * sizeof(RingDescriptor);
  }

  // `ring` holds ring_bytes(size) bytes and `indirect` indirect_bytes(size, max_indirect)
  // bytes, whatever they contain (init clears what must start zeroed); `indirect` is empty
  // (max_indirect 0) when INDIRECT_DESC is not negotiated.
  void init(uint16_t size, DmaRegion ring, DmaRegion indirect, uint16_t max_indirect,
            bool event_idx);

  uint16_t size() const { return size_; }
  uint64_t desc_phys() const { return ring_.phys; }
  uint64_t avail_phys() const { return ring_.phys + avail_offset(size_); }
  uint64_t used_phys() const { return ring_.phys + used_offset(size_); }
  uint16_t free_descriptors() const { return num_free_; }
  // Requests added and not yet returned by pop_used.
  uint16_t in_flight() const { return in_flight_; }
  // Descriptors one request of `segments` buffers needs (1 when it fits an indirect table).
  uint16_t descriptors_needed(uint16_t segments) const;

  // Puts one request on the available ring (not yet visible to the device: see publish).
  // `token` comes back from pop_used. -ENOSPC if too few free descriptors, -EINVAL for an
  // empty request.
  Status add(const Segment* segments, uint16_t count, void* token);
  // Makes the added requests visible to the device. Returns whether the device asked to be
  // notified of them (event index or VIRTQ_USED_F_NO_NOTIFY).
  bool publish();

  // True if the device has returned a request not yet popped.
  bool has_used() const;
  // The device's used index and the next one we take: a driver waiting for the device
  // spins on these two alone (Queue::spin_for_used), a load and a compare a round.
  const volatile uint16_t* used_index() const {
    return reinterpret_cast<const volatile uint16_t*>(used() + 2);
  }
  uint16_t next_used() const { return last_used_; }
  // Takes the next returned request: its token and the bytes the device wrote. Its
  // descriptors return to the free list.
  bool pop_used(void** token, uint32_t* written);

  // Asks the device to interrupt when it next returns a request. Returns false if one was
  // returned meanwhile (the caller must look again rather than wait for an interrupt).
  bool arm_interrupt();
  // Asks the device not to interrupt (completions are being polled).
  void disarm_interrupt();

private:
  volatile RingDescriptor* desc() const { return static_cast<RingDescriptor*>(ring_.virt); }
  volatile uint16_t* avail() const; // flags, idx, ring[size], used_event
  volatile uint8_t* used() const;   // flags, idx, ring[size] of {id, len}, avail_event
  uint16_t used_idx() const;
  void free_chain(uint16_t head);

  static constexpr uint16_t kMaxSize = 1024;
  uint16_t size_ = 0;
  DmaRegion ring_, indirect_;
  uint16_t max_indirect_ = 0;
  bool event_idx_ = false;
  uint16_t free_head_ = 0, num_free_ = 0;
  uint16_t avail_idx_ = 0;     // next available-ring index we write (shadow of avail->idx)
  uint16_t published_idx_ = 0; // avail->idx at the last publish
  uint16_t last_used_ = 0;     // next used-ring index we read
  uint16_t in_flight_ = 0;
  // Only the first size_ entries are used; init() clears those (a queue object is
  // allocated at boot for each device, and clearing all 10 KiB of these would cost more
  // instructions than setting the queue up).
  void* tokens_[kMaxSize];
  uint16_t chain_length_[kMaxSize]; // ring descriptors held by the request at this head
};

} // namespace virtio
