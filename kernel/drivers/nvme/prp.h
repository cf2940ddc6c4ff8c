// Physical Region Page entries (Base Specification 2.0, §4.1.1): how a READ or WRITE tells the
// controller where its data is. PRP1 is the first byte (any dword-aligned offset in its page);
// a transfer that ends in the second page puts that page in PRP2; a longer one puts in PRP2
// the address of a list holding every page after the first. The list here is one page (512
// entries), so one command carries at most 511 pages after the first. Pure, host-tested
// (prp_test.cc).
#pragma once

#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace nvme {

constexpr size_t kPageSize = 4096; // the memory page size we configure (CC.MPS = 0)
constexpr size_t kPrpListEntries = kPageSize / sizeof(uint64_t);

struct Prps {
  uint64_t prp1, prp2;
  size_t list_entries; // entries written to the list (0 when PRP2 is a data page or unused)
};

// Describes `bytes` (> 0) of physically contiguous memory at `phys`. Writes the list, when one
// is needed, to `list` (whose physical address is `list_phys`, page-aligned). -EINVAL for an
// address that is not dword-aligned, a zero length or more pages than one list holds.
ErrorOr<Prps> build_prps(uint64_t phys, size_t bytes, uint64_t* list, uint64_t list_phys);

// The most bytes one command may move when its data starts at any offset in a page: the
// first page may hold only a dword of it.
constexpr size_t kMaxPrpBytes = kPrpListEntries * kPageSize;

} // namespace nvme
