// Virtual memory layout (x86-64, 4-level paging, 48-bit addresses):
//
//   0x0000000000000000 .. 0x00007FFFFFFFFFFF  user (per-process page tables)
//   0xFFFF800000000000 .. +end of RAM         direct map of physical memory (NX)
//   0xFFFFC00000000000 ..                     device MMIO mappings (uncached, NX)
//   0xFFFFFFFF80000000 ..                     kernel image, linked at +0x200000 (phys 0x200000)
//
// The upper half (PML4 entries 256..511) is shared by every address space.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mm {

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kLargePageSize = 2ull << 20;
constexpr uint64_t kDirectMapBase = 0xFFFF800000000000ull;
constexpr uint64_t kMmioBase = 0xFFFFC00000000000ull;
constexpr uint64_t kMmioSize = 1ull << 39;              // one PML4 slot
constexpr uint64_t kKernelBase = 0xFFFFFFFF80000000ull; // virtual address of physical 0
constexpr uint64_t kKernelPhysLoad = 0x200000;
constexpr uint64_t kUserEnd = 0x0000800000000000ull;

constexpr uint64_t page_round_down(uint64_t x) {
  return x & ~(kPageSize - 1);
}
constexpr uint64_t page_round_up(uint64_t x) {
  return (x + kPageSize - 1) & ~(kPageSize - 1);
}

// Physical address → kernel pointer through the direct map.
inline void* phys_to_virt(uint64_t phys) {
  return reinterpret_cast<void*>(phys + kDirectMapBase);
}
// Kernel pointer (direct map or kernel image) → physical address.
inline uint64_t virt_to_phys(const void* va) {
  auto v = reinterpret_cast<uint64_t>(va);
  return v >= kKernelBase ? v - kKernelBase : v - kDirectMapBase;
}

// True when [p, p+len) is kernel memory a device can reach by one physical range: the direct
// map and the kernel image are physically contiguous, vmalloc'd or user memory is not.
inline bool is_physically_contiguous(const void* p, size_t len) {
  auto v = reinterpret_cast<uint64_t>(p);
  return (v >= kDirectMapBase && v + len <= kMmioBase) || v >= kKernelBase;
}

} // namespace mm
