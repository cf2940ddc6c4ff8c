// The request loop virtio-blk and virtio-scsi share: a transfer of `count` sectors is split
// into requests of at most `max_sectors`, up to kSlots of them are in flight on one queue,
// and they complete in submission order. After the first error nothing more is submitted,
// what is in flight is still taken back, and the first error is the result.
#pragma once

#include "drivers/virtio/device.h"
#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace virtio {

// Completion callback and wait predicate for request slots with a `done` flag: the queue's
// completion sets it, the submitting thread waits for it.
template <typename Slot>
void mark_slot_done(void* token, uint32_t /*written*/) {
  static_cast<Slot*>(token)->done = true;
}
template <typename Slot>
bool slot_done(void* slot) {
  return static_cast<Slot*>(slot)->done;
}

// submit(sector, sectors, data) puts one request on the queue and returns its slot, or
// nullptr when no slot is free; finish(slot) waits for it and frees the slot. When every
// slot is held by other threads, the caller waits until can_submit(ctx).
template <size_t kSlots, typename Slot, typename Submit, typename Finish>
Status pipelined_transfer(Queue& queue, uint64_t sector, size_t count, uint8_t* data,
                          size_t max_sectors, size_t sector_size, Submit submit, Finish finish,
                          bool (*can_submit)(void*), void* ctx) {
  Slot* mine[kSlots]; // our requests in submission order, a ring
  size_t first = 0, pending = 0;
  Status result = status_ok();
  while (count || pending) {
    bool added = false;
    while (count && pending < kSlots && result) {
      size_t n = count < max_sectors ? count : max_sectors;
      Slot* s = submit(sector, n, data);
      if (!s)
        break;
      mine[(first + pending++) % kSlots] = s;
      added = true;
      sector += n;
      count -= n;
      data += n * sector_size;
    }
    if (!result)
      count = 0; // an error: take back what is in flight, submit nothing more
    if (added)
      queue.kick();
    if (pending == 0) {
      if (!count)
        break;
      // Another thread holds every slot: wait until it gives one back.
      Status w = queue.wait_until(can_submit, ctx);
      if (!w)
        return w;
      continue;
    }
    Status s = finish(mine[first]);
    first = (first + 1) % kSlots;
    --pending;
    if (!s && result)
      result = s;
  }
  return result;
}

} // namespace virtio
