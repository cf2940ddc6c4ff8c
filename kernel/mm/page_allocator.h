// Physical page allocator: one bit per 4 KiB page frame (1 = free) over [0, limit).
// Contiguous runs are found by scanning; allocations are rare and small in a unikernel.
// Works on a caller-supplied bitmap, so it is unit-tested on the host.
#pragma once

#include "mm/region_table.h"

#include <stddef.h>
#include <stdint.h>

namespace mm {

class PageAllocator {
public:
  // Bytes of bitmap needed to track physical memory up to `limit`.
  static size_t bitmap_bytes(uint64_t limit);

  // Marks every page inside map.ram free (map must be finalized). bitmap must hold
  // bitmap_bytes(map.highest_ram_end()) bytes.
  void init(uint64_t* bitmap, const MemoryMap& map);

  // Removes [base, base+length) from the free set (e.g. the bitmap itself).
  void reserve(uint64_t base, uint64_t length);

  // Allocates `count` physically contiguous pages aligned to `align_pages` (power of two)
  // below `below` (0 = anywhere). Returns the physical address, or 0 when out of memory
  // (page 0 is never handed out).
  uint64_t alloc(size_t count = 1, size_t align_pages = 1, uint64_t below = 0);
  void free(uint64_t phys, size_t count = 1);

  size_t free_pages() const { return free_pages_; }
  size_t total_pages() const { return total_pages_; }
  bool is_free(uint64_t phys) const;

private:
  void set_free(uint64_t page, bool free);
  void mark_used(uint64_t page, size_t count); // a word at a time (all known free)
  uint64_t* bits_ = nullptr;
  uint64_t page_count_ = 0; // pages tracked
  uint64_t search_hint_ = 0;
  size_t free_pages_ = 0;
  size_t total_pages_ = 0;
};

} // namespace mm
