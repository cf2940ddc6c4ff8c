// Loader memory: pages from the firmware, and a bump arena over them for small requests.
#include "loader.h"
#include "stage2.h"

namespace uefi_boot {
namespace {

constexpr uint64_t kChunk = 4ull << 20;
constexpr uint64_t kOwnPagesFrom = 1ull << 20; // larger requests get pages of their own
uint8_t* g_next;
uint64_t g_left;

} // namespace

void* allocate_pages(uint64_t bytes, efi::MemoryType type, uint64_t max_address) {
  uint64_t pages = (bytes + 4095) / 4096;
  uint64_t address = max_address;
  if (efi::failed(boot_services()->allocate_pages(efi::kAllocateMaxAddress, type, pages, &address)))
    stage2::fail("out of memory (AllocatePages)");
  return memset(reinterpret_cast<void*>(address), 0, pages * 4096);
}

void* memory_alloc(void*, size_t size, size_t align) {
  // Below 4 GiB: the fw_cfg DMA request and other 32-bit consumers take these addresses.
  constexpr uint64_t kBelow4G = 0xFFFFFFFFull;
  if (size >= kOwnPagesFrom || align > 4096)
    return align > 4096 ? nullptr : allocate_pages(size, efi::kLoaderData, kBelow4G);
  uint64_t pad = (align - reinterpret_cast<uintptr_t>(g_next) % align) % align;
  if (!g_next || pad + size > g_left) {
    g_next = static_cast<uint8_t*>(allocate_pages(kChunk, efi::kLoaderData, kBelow4G));
    g_left = kChunk;
    pad = 0;
  }
  void* out = g_next + pad;
  g_next += pad + size;
  g_left -= pad + size;
  return out; // chunks come zeroed and are handed out once
}

} // namespace uefi_boot
