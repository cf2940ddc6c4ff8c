// x86-64 4-level page-table entry bits and index math (host-testable).
#pragma once

#include <stdint.h>

namespace mm {

enum : uint64_t {
  kPtePresent = 1ull << 0,
  kPteWrite = 1ull << 1,
  kPteUser = 1ull << 2,
  kPteWriteThrough = 1ull << 3,
  kPteCacheDisable = 1ull << 4,
  kPteAccessed = 1ull << 5,
  kPteDirty = 1ull << 6,
  kPteLarge = 1ull << 7, // 2 MiB page in a PD entry
  kPteGlobal = 1ull << 8,
  kPteNoExec = 1ull << 63,
  kPteAddrMask = 0x000FFFFFFFFFF000ull,
};

constexpr unsigned pml4_index(uint64_t va) {
  return (va >> 39) & 511;
}
constexpr unsigned pdpt_index(uint64_t va) {
  return (va >> 30) & 511;
}
constexpr unsigned pd_index(uint64_t va) {
  return (va >> 21) & 511;
}
constexpr unsigned pt_index(uint64_t va) {
  return (va >> 12) & 511;
}
// Index of the table at `level` (4 = PML4 ... 1 = PT) that translates va.
constexpr unsigned table_index(uint64_t va, int level) {
  return (va >> (12 + 9 * (level - 1))) & 511;
}
// True if va is canonical (bits 63..47 all equal).
constexpr bool is_canonical(uint64_t va) {
  uint64_t top = va >> 47;
  return top == 0 || top == 0x1FFFF;
}

} // namespace mm
