#include "net/interface.h"

namespace net {

void LoopbackInterface::transmit(PacketPtr datagram) {
  if (!datagram || queue_.count() >= kQueueLimit)
    return; // dropped (freed by the PacketPtr)
  datagram->mark_checksum_done();
  queue_.push_back(datagram.take());
}

} // namespace net
