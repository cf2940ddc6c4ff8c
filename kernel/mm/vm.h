// Virtual memory: physical pages, the kernel's own mappings, and per-process address spaces.
#pragma once

#include "lib/error_or.h"
#include "mm/layout.h"
#include "mm/page_allocator.h"

#include <stddef.h>
#include <stdint.h>

namespace mm {

// ---- physical pages (zeroed or not, as named) ----
// Returns 0 when out of memory.
uint64_t alloc_page();              // one page, contents undefined
uint64_t alloc_zeroed_page();       // one zeroed page
uint64_t alloc_pages(size_t count); // contiguous, contents undefined
void free_pages(uint64_t phys, size_t count = 1);
size_t free_page_count();
size_t total_page_count();
const MemoryMap& memory_map();
// True once mm::init switched to the kernel's own page tables (phys_to_virt works).
bool direct_map_ready();
// phys_to_virt is valid for physical addresses below this (all RAM); use map_mmio beyond.
uint64_t direct_map_end();

// Maps `size` bytes of device memory at physical `phys` uncached; returns a kernel pointer.
void* map_mmio(uint64_t phys, size_t size);

// A kernel stack of `bytes` (multiple of 4 KiB) of fresh, cacheable pages in the kernel
// mapping window, above an unmapped guard page (an overflow becomes a reported double
// fault). Returns its lowest address, or 0 when out of memory. Never unmapped: the
// scheduler recycles stacks of exited threads.
uint64_t alloc_kernel_stack(size_t bytes);

// ---- user address spaces ----
// Protection bits for user mappings.
enum Prot : unsigned { kProtNone = 0, kProtRead = 1, kProtWrite = 2, kProtExec = 4 };

struct Translation {
  uint64_t phys; // physical address of the page (page-aligned)
  unsigned prot; // Prot bits
};

class AddressSpace {
public:
  // A fresh address space: empty lower half, shared kernel upper half.
  static ErrorOr<AddressSpace*> create();
  // Frees the page tables (not the mapped pages: the caller owns those).
  void destroy();

  // Maps one 4 KiB page. va/phys page-aligned, va below arch::kUserMappableEnd (the last
  // user page is reserved, see arch/x86_64/user.h). kProtNone maps
  // nothing (returns -EINVAL); a present page is replaced (its old frame is not freed).
  // -ENOMEM if a page-table page cannot be allocated.
  Status map(uint64_t va, uint64_t phys, unsigned prot);
  // Maps `count` pages at va to the physically contiguous frames from phys, walking the
  // tables once per 2 MiB instead of once per page (under emulation every instruction
  // counts). Same rules as map(); on -ENOMEM the pages before the failure stay mapped and
  // *mapped says how many.
  Status map_run(uint64_t va, uint64_t phys, size_t count, unsigned prot, size_t* mapped);
  // Unmaps one page; returns the physical address it mapped, or -ENOENT.
  ErrorOr<uint64_t> unmap(uint64_t va);
  // Unmaps every present page of [start, end) and hands each frame to release(phys, ctx).
  // One TLB flush for the whole range when it is large. Returns the number of pages.
  size_t unmap_range(uint64_t start, uint64_t end, void (*release)(uint64_t phys, void* ctx),
                     void* ctx);
  // How many pages from va on (at most max) are not present.
  size_t absent_run(uint64_t va, size_t max) const;
  // Changes the protection of a present page; -ENOENT if none.
  Status protect(uint64_t va, unsigned prot);
  // Looks up a user page; -ENOENT if not present.
  ErrorOr<Translation> translate(uint64_t va) const;
  // The first page-aligned address in [va, end) with a present page, or end. Skips whole
  // absent page tables, so sparse ranges (an 8 MiB thread stack with a few pages touched)
  // cost a few table reads instead of one walk per page.
  uint64_t next_present(uint64_t va, uint64_t end) const;

  // Loads this address space into CR3 (current one after this call).
  void activate();
  static AddressSpace* current();
  uint64_t root_phys() const { return pml4_phys_; }

private:
  uint64_t* walk(uint64_t va, bool create) const;
  uint64_t pml4_phys_ = 0;
};

} // namespace mm
