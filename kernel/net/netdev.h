// How a network device driver (drivers/, a peer layer) hands its interface and its received
// frames to the kernel's network stack. Besides net/interface.h this is the only net/ header
// drivers include (tests/layering/check_kernel_layers.py lists both as peer interfaces).
//
// Context: call these from thread context or from deferred work (sched/deferred.h), not
// from an interrupt's top half: receive processing (TCP, replies, waking sockets) is too
// long for one. Kernel code runs with interrupts off on one CPU, so the stack is never
// entered twice at once and needs no lock of its own.
#pragma once

#include "lib/error_or.h"
#include "net/interface.h"
#include "net/packet.h"

namespace net::netdev {

// Makes the device's interface part of the stack (the driver keeps owning it; it lives
// until shutdown). The stack then configures it: static addresses from the manifest or
// DHCP (net/configure.h). -ENOSPC when the stack has no room for another interface.
Status attach(Interface& interface);

// One received Ethernet frame (destination MAC first, no virtio header), now owned by the
// stack. Packet::Offload flags say what the device already verified (GUEST_CSUM).
void receive(Interface& interface, PacketPtr frame);

// A batch of received frames: each goes to the stack with receive_in_batch(), then
// end_receive_batch() once runs what they made due (loopback delivery, timers and the
// timer's re-arming), which receive() does after every single frame.
void receive_in_batch(Interface& interface, PacketPtr frame);
void end_receive_batch();

// The device's link went up or down (virtio-net's VIRTIO_NET_S_LINK_UP).
void link_changed(Interface& interface, bool up);

} // namespace net::netdev
