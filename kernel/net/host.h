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

// At program exit: what the program wrote to TCP connections goes out and is acknowledged
// before the machine powers off (a server that answers and exits, e.g. GET /exit, would
// otherwise lose its answer), waiting at most `timeout_ns`. Other threads may run while it
// waits; the program has already chosen its status.
void finish_transmission(uint64_t timeout_ns);

} // namespace net::host
