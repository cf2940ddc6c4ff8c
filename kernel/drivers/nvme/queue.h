// The host's side of one NVMe queue pair (Base Specification 2.0, §3.3.1, §4.6): the
// submission ring the host fills up to its tail and the controller consumes up to the head it
// reports in each completion, and the completion ring whose new entries the host recognises by
// their phase tag, which the controller inverts each time it wraps around. Pure bookkeeping
// over memory the caller provides, host-tested (queue_test.cc); the doorbell writes are the
// caller's.
#pragma once

#include "drivers/nvme/commands.h"

#include <stdint.h>

namespace nvme {

class SubmissionRing {
public:
  void init(SubmissionEntry* entries, uint16_t size) {
    entries_ = entries;
    size_ = size;
    tail_ = head_ = 0;
  }
  // One slot stays empty: head == tail means empty, so the ring holds size - 1 commands.
  bool full() const { return next(tail_) == head_; }
  // Copies `e` into the slot at the tail and advances it; returns the new tail for the
  // doorbell. The caller checks full() first.
  uint16_t push(const SubmissionEntry& e);
  // The controller's SQ head from a completion: the slots before it are free again.
  void consumed_up_to(uint16_t head) { head_ = head < size_ ? head : head_; }
  uint16_t tail() const { return tail_; }
  uint16_t size() const { return size_; }

private:
  uint16_t next(uint16_t i) const { return static_cast<uint16_t>(i + 1 == size_ ? 0 : i + 1); }
  SubmissionEntry* entries_ = nullptr;
  uint16_t size_ = 0, tail_ = 0, head_ = 0;
};

class CompletionRing {
public:
  // The ring must start zeroed: the controller's first pass writes phase 1.
  void init(volatile CompletionEntry* entries, uint16_t size) {
    entries_ = entries;
    size_ = size;
    head_ = 0;
    phase_ = 1;
  }
  // The entry at the head if the controller has written it (its phase tag matches), else
  // nullptr.
  const volatile CompletionEntry* peek() const;
  // Takes the entry at the head; returns the new head for the doorbell.
  uint16_t pop();
  uint16_t head() const { return head_; }
  uint8_t phase() const { return phase_; }

private:
  volatile CompletionEntry* entries_ = nullptr;
  uint16_t size_ = 0, head_ = 0;
  uint8_t phase_ = 1;
};

} // namespace nvme
