// What the driver reads from Identify data (Base Specification 2.0, §5.17.2; NVM Command Set
// Specification §4.1.5): the controller's transfer limit and write cache, the active
// namespaces, and a namespace's size and LBA format. Pure, over the 4 KiB pages Identify
// returns; host-tested (identify_test.cc).
#pragma once

#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace nvme {

constexpr size_t kIdentifySize = 4096;

struct ControllerInfo {
  // MDTS as bytes (2^MDTS minimum pages); 0: no limit.
  uint64_t max_transfer_bytes;
  uint32_t namespace_count;  // NN
  bool volatile_write_cache; // VWC bit 0: FLUSH matters
  char serial[21];           // SN, trailing spaces dropped
  char model[41];            // MN, trailing spaces dropped
};
ControllerInfo parse_controller(const uint8_t* data, uint32_t min_page_size);

// The first active namespace in a CNS 02h list (ascending NSIDs, 0 ends it); 0 if none.
uint32_t first_active_namespace(const uint8_t* data);

struct NamespaceInfo {
  uint64_t blocks;        // NSZE
  uint32_t block_size;    // bytes, from the formatted LBA format's LBADS
  uint16_t metadata_size; // MS of that format: bytes of metadata per block
  bool write_protected;   // NSATTR bit 0
};
// -ENODEV for an inactive namespace (all zeros: size 0), -EINVAL for a format index beyond
// the formats the namespace lists.
ErrorOr<NamespaceInfo> parse_namespace(const uint8_t* data);

} // namespace nvme
