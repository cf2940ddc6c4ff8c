#include "drivers/nvme/queue.h"

namespace nvme {

uint16_t SubmissionRing::push(const SubmissionEntry& e) {
  entries_[tail_] = e;
  tail_ = next(tail_);
  return tail_;
}

const volatile CompletionEntry* CompletionRing::peek() const {
  const volatile CompletionEntry* e = &entries_[head_];
  return (e->status & 1) == phase_ ? e : nullptr;
}

uint16_t CompletionRing::pop() {
  if (++head_ == size_) {
    head_ = 0;
    phase_ ^= 1; // the controller's next pass writes the other phase
  }
  return head_;
}

} // namespace nvme
