// Kernel heap: power-of-two size classes (32 B .. 2 KiB) carved from single pages, and
// page runs for anything larger. Every block starts with a 16-byte header that says which,
// so kfree needs no size. All memory is in the direct map, hence physically contiguous.
#include "mm/heap.h"

#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/vm.h"

#include <stdint.h>

namespace {

constexpr uint32_t kMagic = 0x4B484550; // "KHEP"
constexpr int kClasses = 7;             // 32, 64, ..., 2048 bytes including the header
constexpr size_t kHeader = 16;

struct Header {
  uint32_t magic;
  uint32_t cls;   // size class, or kLarge
  uint64_t pages; // for large blocks
};
static_assert(sizeof(Header) == kHeader);
constexpr uint32_t kLarge = 0xFFFFFFFF;

struct FreeBlock {
  FreeBlock* next;
};
FreeBlock* g_free[kClasses];

size_t class_size(int c) {
  return size_t{32} << c;
}

bool refill(int c) {
  uint64_t page = mm::alloc_page();
  if (!page)
    return false;
  auto* base = static_cast<uint8_t*>(mm::phys_to_virt(page));
  size_t sz = class_size(c);
  for (size_t off = 0; off + sz <= mm::kPageSize; off += sz) {
    auto* b = reinterpret_cast<FreeBlock*>(base + off);
    b->next = g_free[c];
    g_free[c] = b;
  }
  return true;
}

} // namespace

void* kmalloc(size_t size) {
  if (size > (1ull << 40))
    return nullptr;
  size_t need = size + kHeader;
  for (int c = 0; c < kClasses; ++c) {
    if (need > class_size(c))
      continue;
    if (!g_free[c] && !refill(c))
      return nullptr;
    FreeBlock* b = g_free[c];
    g_free[c] = b->next;
    auto* h = reinterpret_cast<Header*>(b);
    *h = Header{kMagic, static_cast<uint32_t>(c), 0};
    return reinterpret_cast<uint8_t*>(h) + kHeader;
  }
  size_t pages = (need + mm::kPageSize - 1) / mm::kPageSize;
  uint64_t phys = mm::alloc_pages(pages);
  if (!phys)
    return nullptr;
  auto* h = static_cast<Header*>(mm::phys_to_virt(phys));
  *h = Header{kMagic, kLarge, pages};
  return reinterpret_cast<uint8_t*>(h) + kHeader;
}

void* kzalloc(size_t size) {
  void* p = kmalloc(size);
  if (p)
    memset(p, 0, size);
  return p;
}

static Header* header_of(void* p) {
  auto* h = reinterpret_cast<Header*>(static_cast<uint8_t*>(p) - kHeader);
  if (h->magic != kMagic)
    panic("kfree/krealloc of a bad pointer %p", p);
  return h;
}

void kfree(void* p) {
  if (!p)
    return;
  Header* h = header_of(p);
  h->magic = 0;
  if (h->cls == kLarge) {
    mm::free_pages(mm::virt_to_phys(h), h->pages);
    return;
  }
  uint32_t cls = h->cls;
  if (cls >= kClasses)
    panic("kfree: corrupt heap header at %p", p);
  auto* b = reinterpret_cast<FreeBlock*>(h); // overwrites the header
  b->next = g_free[cls];
  g_free[cls] = b;
}

void* krealloc(void* p, size_t size) {
  if (!p)
    return kmalloc(size);
  Header* h = header_of(p);
  size_t old =
      (h->cls == kLarge ? h->pages * mm::kPageSize : class_size(static_cast<int>(h->cls))) -
      kHeader;
  if (size <= old)
    return p;
  void* n = kmalloc(size);
  if (!n)
    return nullptr;
  memcpy(n, p, old);
  kfree(p);
  return n;
}

char* kstrndup(const void* bytes, size_t len) {
  auto* s = static_cast<char*>(kmalloc(len + 1));
  if (s) {
    memcpy(s, bytes, len);
    s[len] = 0;
  }
  return s;
}
