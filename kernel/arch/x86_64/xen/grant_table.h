// Grant table (version 1): how this domain lets a back-end domain map one of its pages
// (rings and I/O buffers of the PV devices). The table's frames are placed in our physical
// address space with XENMEM_add_to_physmap, as an HVM/PVH guest must.
#pragma once

#include "lib/error_or.h"

#include <stdint.h>

namespace xen::gnttab {

using Ref = uint32_t;

// Maps the first grant-table frame (512 entries). Needs the kernel's page allocator.
Status init();
// Lets `domid` map the page at physical address `phys` (read-only if asked). Returns the
// grant reference to hand to the back-end.
ErrorOr<Ref> grant_access(uint16_t domid, uint64_t phys, bool readonly);
// Withdraws a grant; -EBUSY while the back-end still has the page mapped.
Status end_access(Ref ref);

} // namespace xen::gnttab
