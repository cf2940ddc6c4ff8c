// Event channels delivered as an interrupt: Xen raises the HVM callback vector (one LAPIC
// vector from irq::allocate, set in HVM_PARAM_CALLBACK_IRQ) whenever vCPU 0's
// evtchn_upcall_pending goes up; the handler walks the two-level pending bitmap of the
// shared info page and runs the handler bound to each pending, unmasked port (a top half:
// interrupts off, must not block; see arch/x86_64/irq.h).
#pragma once

#include "lib/error_or.h"

#include <stdint.h>

namespace xen::events {

using Handler = void (*)(void* ctx);

// Allocates the vector and tells Xen to use it. -ENODEV when not under Xen.
Status init();
bool ready();
// Runs handler(ctx) for every event on `port` and unmasks the port. -ENOSPC past the ports
// this table keeps (kMaxPorts).
Status bind(uint32_t port, Handler handler, void* ctx);
constexpr uint32_t kMaxPorts = 256;

} // namespace xen::events
