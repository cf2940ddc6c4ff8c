#include "arch/x86_64/xen/grant_table.h"

#include "arch/x86_64/xen/hypercall.h"
#include "lib/errno.h"
#include "mm/vm.h"

namespace xen::gnttab {
namespace {
volatile GrantEntryV1* g_entries = nullptr;
constexpr uint32_t kEntries = mm::kPageSize / sizeof(GrantEntryV1); // one frame
// Free references as a stack (refs below kGrantReservedEntries belong to the toolstack).
uint16_t g_free[kEntries];
uint32_t g_free_count = 0;
} // namespace

Status init() {
  if (g_entries)
    return status_ok();
  // The frame replaces an ordinary RAM page of ours in the physical map: that page's
  // memory is given up (one page), the address now shows the grant table.
  uint64_t page = mm::alloc_zeroed_page();
  if (!page)
    return Err(-ENOMEM);
  TRY(add_to_physmap(kMapSpaceGrantTable, 0, page >> 12));
  g_entries = static_cast<volatile GrantEntryV1*>(mm::phys_to_virt(page));
  for (uint32_t ref = kEntries; ref-- > kGrantReservedEntries;)
    g_free[g_free_count++] = static_cast<uint16_t>(ref);
  return status_ok();
}

ErrorOr<Ref> grant_access(uint16_t domid, uint64_t phys, bool readonly) {
  if (!g_entries)
    return Err(-ENODEV);
  if (!g_free_count)
    return Err(-ENOSPC);
  Ref ref = g_free[--g_free_count];
  volatile GrantEntryV1& e = g_entries[ref];
  e.domid = domid;
  e.frame = static_cast<uint32_t>(phys >> 12);
  // The flags make the entry valid: Xen must see frame and domain first.
  __atomic_thread_fence(__ATOMIC_RELEASE);
  e.flags = static_cast<uint16_t>(kGtfPermitAccess | (readonly ? kGtfReadonly : 0));
  return ref;
}

Status end_access(Ref ref) {
  if (!g_entries || ref < kGrantReservedEntries || ref >= kEntries)
    return Err(-EINVAL);
  volatile GrantEntryV1& e = g_entries[ref];
  uint16_t flags = e.flags;
  if (flags & (kGtfReading | kGtfWriting))
    return Err(-EBUSY);
  // Clear the entry only if Xen did not mark it in use meanwhile.
  if (!__atomic_compare_exchange_n(&e.flags, &flags, static_cast<uint16_t>(0), false,
                                   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
    return Err(-EBUSY);
  g_free[g_free_count++] = static_cast<uint16_t>(ref);
  return status_ok();
}

} // namespace xen::gnttab
