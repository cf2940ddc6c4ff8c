// Host tests of the shared rings: a page standing for the one shared with a back-end, whose
// four 32-bit indexes (req_prod, req_event, rsp_prod, rsp_event) the test reads and writes
// as the back-end would.
#pragma once

#include <cstring>
#include <stddef.h>
#include <stdint.h>

namespace xen_ring::testing {

struct RingPage {
  alignas(4096) uint8_t bytes[4096];
  uint32_t index(size_t n) const {
    uint32_t v;
    memcpy(&v, bytes + 4 * n, 4);
    return v;
  }
  void set_index(size_t n, uint32_t v) { memcpy(bytes + 4 * n, &v, 4); }
};

} // namespace xen_ring::testing
