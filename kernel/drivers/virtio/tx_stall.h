// The transmit watchdog's decision (virtio-net, net.cc): QEMU under TCG with EVENT_IDX
// sometimes stops taking frames from the transmit ring (docs/net.md), so once per round the
// watchdog asks whether frames have been waiting a whole round with none returned; then it
// notifies the device again. Pure logic, host-tested.
#pragma once

#include <stdint.h>

namespace virtio {

class TxStallDetector {
public:
  // One watchdog round: `waiting` = frames in the ring or the overflow queue right now,
  // `completed` = frames the device has returned so far (a running count). True when the
  // device should be notified again: frames waited at the previous round too and nothing
  // came back since.
  bool round(bool waiting, uint64_t completed) {
    bool stalled = waiting && waiting_before_ && completed == completed_before_;
    waiting_before_ = waiting;
    completed_before_ = completed;
    return stalled;
  }

private:
  bool waiting_before_ = false;
  uint64_t completed_before_ = 0;
};

} // namespace virtio
