// The shared info page: per-vCPU event and time records, the event-channel bitmaps and the
// wall clock. Xen places it where we ask (XENMEM_add_to_physmap over one of our RAM pages).
#pragma once

#include <stdint.h>

namespace xen {

// The page, mapped on first use; nullptr when not under Xen or before mm::init.
volatile uint8_t* shared_info();

} // namespace xen
