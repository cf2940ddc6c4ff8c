#include "arch/x86_64/xen/shared_info.h"

#include "arch/x86_64/xen/hypercall.h"
#include "mm/vm.h"

namespace xen {
namespace {
volatile uint8_t* g_shared_info = nullptr;
} // namespace

volatile uint8_t* shared_info() {
  if (g_shared_info || !present() || !mm::direct_map_ready())
    return g_shared_info;
  // Xen's page takes the place of one of our RAM pages (whose memory is given up).
  uint64_t page = mm::alloc_zeroed_page();
  if (!page)
    return nullptr;
  if (!add_to_physmap(kMapSpaceSharedInfo, 0, page >> 12))
    return nullptr;
  g_shared_info = static_cast<volatile uint8_t*>(mm::phys_to_virt(page));
  return g_shared_info;
}

} // namespace xen
