#include "memory_map.h"

namespace uefi_boot {
namespace {

// The descriptor fields the conversion reads (UEFI spec §7.2, EFI_MEMORY_DESCRIPTOR): the
// type at 0, the physical start at 8, the page count at 24. Later spec versions may make
// descriptors longer, never shorter, hence the stride from GetMemoryMap.
constexpr size_t kTypeOffset = 0;
constexpr size_t kStartOffset = 8;
constexpr size_t kPagesOffset = 24;
constexpr size_t kMinDescriptorSize = 40;

template <typename T> T load(const uint8_t* p) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
  return v;
}

} // namespace

uint32_t region_type(uint32_t efi_type) {
  switch (efi_type) {
  case 1: // loader code
  case 2: // loader data
  case 3: // boot services code
  case 4: // boot services data
  case 7: // conventional
    return 1;
  case 8: // unusable
    return 5;
  case 9: // ACPI reclaim
    return 3;
  case 10: // ACPI NVS
    return 4;
  default:
    return 2;
  }
}

size_t regions_from_memory_map(const uint8_t* map, size_t map_size, size_t descriptor_size,
                               RegionRecord* out, size_t max) {
  if (descriptor_size < kMinDescriptorSize)
    return 0;
  size_t n = 0;
  for (size_t off = 0; off + descriptor_size <= map_size; off += descriptor_size) {
    const uint8_t* d = map + off;
    uint64_t pages = load<uint64_t>(d + kPagesOffset);
    if (pages == 0)
      continue;
    if (pages > (~0ull >> 12))
      return 0;
    RegionRecord r{load<uint64_t>(d + kStartOffset), pages << 12,
                   region_type(load<uint32_t>(d + kTypeOffset))};
    // Insertion by base keeps the output sorted; firmware maps are usually sorted already,
    // so this is one comparison per descriptor.
    size_t at = n;
    while (at > 0 && out[at - 1].base > r.base)
      --at;
    if (at > 0 && out[at - 1].type == r.type && out[at - 1].base + out[at - 1].length == r.base &&
        (at == n || out[at].base >= r.base + r.length)) {
      out[at - 1].length += r.length;
      // The grown record may now touch its successor.
      if (at < n && out[at].type == r.type &&
          out[at - 1].base + out[at - 1].length == out[at].base) {
        out[at - 1].length += out[at].length;
        for (size_t i = at; i + 1 < n; ++i)
          out[i] = out[i + 1];
        --n;
      }
      continue;
    }
    if (at < n && out[at].type == r.type && r.base + r.length == out[at].base) {
      out[at].base = r.base;
      out[at].length += r.length;
      continue;
    }
    if (n == max)
      return 0;
    for (size_t i = n; i > at; --i)
      out[i] = out[i - 1];
    out[at] = r;
    ++n;
  }
  return n;
}

bool ram_covers(const RegionRecord* records, size_t count, uint64_t base, uint64_t length) {
  for (size_t i = 0; i < count; ++i)
    if (records[i].type == 1 && base >= records[i].base &&
        base + length <= records[i].base + records[i].length)
      return true;
  return false;
}

} // namespace uefi_boot
