#include "drivers/nvme/prp.h"

namespace nvme {

ErrorOr<Prps> build_prps(uint64_t phys, size_t bytes, uint64_t* list, uint64_t list_phys) {
  if (bytes == 0 || (phys & 3))
    return Err(-EINVAL);
  uint64_t first_page = phys & ~(kPageSize - 1);
  uint64_t last_page = (phys + bytes - 1) & ~(kPageSize - 1);
  size_t pages_after_first = (last_page - first_page) / kPageSize;
  Prps p{phys, 0, 0};
  if (pages_after_first == 0)
    return p;
  if (pages_after_first == 1) {
    p.prp2 = last_page;
    return p;
  }
  if (pages_after_first > kPrpListEntries)
    return Err(-EINVAL); // would need a chained list
  for (size_t i = 0; i < pages_after_first; ++i)
    list[i] = first_page + (i + 1) * kPageSize;
  p.prp2 = list_phys;
  p.list_entries = pages_after_first;
  return p;
}

} // namespace nvme
