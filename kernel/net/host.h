// The kernel's one network stack ("the host"): the IPv4 stack with its loopback interface,
// the TCP stack joined to it, and the timers that drive both. The socket layer (unix/) and
// the configuration code reach it through here; drivers use net/netdev.h instead.
//
// Context: thread context or deferred work only (see net/netdev.h); never a top half.
#pragma once

#include "net/stack.h"
#include "net/tcp_stack.h"

namespace net::host {

// Creates the stack and its loopback interface; called once at boot before any driver
// attaches an interface.
void init();

Stack& ip();
tcp::Stack& tcp();

// Runs what became due or pending (loopback delivery, TCP and IP timers) and re-arms the
// timer for the next deadline. The socket layer calls it after it hands the stack work.
void run_pending();

// True once a driver attached a device: traffic may then arrive from outside, so a socket
// that waits with no deadline is not deadlocked even when no thread or timer can wake it.
bool has_devices();

} // namespace net::host
