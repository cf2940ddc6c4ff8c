#include "mm/vm.h"

#include "arch/x86_64/boot_internal.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/page_zero.h"
#include "arch/x86_64/user.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/page_table.h"

extern "C" char __kernel_start[], __rodata_start[], __data_start[], __kernel_end[]; // kernel.ld

namespace mm {
namespace {

PageAllocator g_pages;
MemoryMap* g_map = nullptr;
uint64_t g_kernel_pml4 = 0; // physical
AddressSpace* g_current = nullptr;
uint64_t g_mmio_next = kMmioBase;
bool g_direct_map_ready = false;

// Page-table pages: through the direct map once it exists; during mm::init, before the
// switch, through the boot tables' kernel-half alias of the first 1 GiB.
uint64_t* table(uint64_t phys) {
  return reinterpret_cast<uint64_t*>(g_direct_map_ready ? phys + kDirectMapBase
                                                        : phys + kKernelBase);
}

// Before the direct map exists, page-table pages come from a bump pool right after the
// page bitmap (below 1 GiB, reached through the boot tables' kernel-half alias).
uint64_t g_early_next = 0, g_early_end = 0;
uint64_t g_direct_map_end = 0;

uint64_t new_table() {
  uint64_t p;
  if (g_direct_map_ready) {
    p = g_pages.alloc(1);
  } else {
    p = g_early_next + kPageSize <= g_early_end ? g_early_next : 0;
    if (p)
      g_early_next += kPageSize;
  }
  if (p)
    arch::zero_pages(table(p), 1);
  return p;
}

// Returns the level-1 entry for va under root, creating tables (flags for new
// intermediate entries) if asked. nullptr if absent or out of memory, or if a large page
// is in the way.
uint64_t* walk_root(uint64_t root, uint64_t va, bool create, uint64_t inter_flags) {
  uint64_t* t = table(root);
  for (int level = 4; level > 1; --level) {
    uint64_t& e = t[table_index(va, level)];
    if (!(e & kPtePresent)) {
      if (!create)
        return nullptr;
      uint64_t p = new_table();
      if (!p)
        return nullptr;
      e = p | inter_flags;
    } else if (e & kPteLarge) {
      return nullptr;
    }
    t = table(e & kPteAddrMask);
  }
  return &t[pt_index(va)];
}

uint64_t user_pte_flags(unsigned prot) {
  uint64_t f = kPtePresent | kPteUser;
  if (prot & kProtWrite)
    f |= kPteWrite;
  if (!(prot & kProtExec))
    f |= kPteNoExec;
  return f;
}

unsigned prot_of(uint64_t pte) {
  unsigned p = kProtRead;
  if (pte & kPteWrite)
    p |= kProtWrite;
  if (!(pte & kPteNoExec))
    p |= kProtExec;
  return p;
}

// The first present entry of t in [i, limit) (limit if none), four entries a step: tables
// are mostly empty, and under emulation each instruction of the scan counts.
int next_present_entry(const uint64_t* t, int i, int limit = 512) {
  for (; i < limit && (i & 3); ++i)
    if (t[i] & kPtePresent)
      return i;
  for (; i + 4 <= limit; i += 4)
    if ((t[i] | t[i + 1] | t[i + 2] | t[i + 3]) & kPtePresent)
      break;
  for (; i < limit; ++i)
    if (t[i] & kPtePresent)
      return i;
  return limit;
}

void free_tables(uint64_t phys, int level) {
  if (level > 1) {
    uint64_t* t = table(phys);
    for (int i = next_present_entry(t, 0); i < 512; i = next_present_entry(t, i + 1))
      if (!(t[i] & kPteLarge))
        free_tables(t[i] & kPteAddrMask, level - 1);
  }
  g_pages.free(phys);
}

// Maps [phys, phys+len) at va in the kernel tables with 1 GiB pages when `huge` (all 1 GiB
// aligned) or 2 MiB pages (all 2 MiB aligned).
void map_large(uint64_t va, uint64_t phys, uint64_t len, uint64_t flags, bool huge) {
  uint64_t step = huge ? (1ull << 30) : kLargePageSize;
  int leaf_level = huge ? 3 : 2;
  for (uint64_t off = 0; off < len; off += step) {
    uint64_t v = va + off;
    uint64_t* t = table(g_kernel_pml4);
    for (int level = 4; level > leaf_level; --level) {
      uint64_t& e = t[table_index(v, level)];
      if (!(e & kPtePresent)) {
        uint64_t p = new_table();
        if (!p)
          panic("out of memory building the kernel page tables");
        e = p | kPtePresent | kPteWrite;
      }
      t = table(e & kPteAddrMask);
    }
    t[table_index(v, leaf_level)] = (phys + off) | flags | kPteLarge;
  }
}

} // namespace

void init(MemoryMap& map) {
  g_map = &map;
  // The page bitmap, followed by a small pool for the kernel's page tables: at the start of
  // the first RAM range above 1 MiB that holds both, below 1 GiB (reachable through the
  // boot tables' alias until the switch).
  // Pool: PML4, MMIO PDPT, kernel PDPT/PD/PT, direct-map PDPTs and one PD per GiB of RAM
  // (when there are no 1 GiB pages), with room to spare.
  uint64_t early_pool = (16 + map.highest_ram_end() / (1ull << 30)) * kPageSize;
  size_t bytes = PageAllocator::bitmap_bytes(map.highest_ram_end());
  uint64_t need = page_round_up(bytes) + early_pool;
  uint64_t bitmap_phys = 0;
  for (size_t i = 0; i < map.ram_count; ++i) {
    const PhysRange& r = map.ram[i];
    if (r.base >= 0x100000 && r.base + need <= r.end() && r.base + need <= (1ull << 30)) {
      bitmap_phys = r.base;
      break;
    }
  }
  if (!bitmap_phys)
    panic("no RAM below 1 GiB for the page bitmap (%zu bytes)", bytes);
  g_early_next = bitmap_phys + page_round_up(bytes);
  g_early_end = bitmap_phys + need;

  g_kernel_pml4 = new_table();
  if (!g_kernel_pml4)
    panic("out of memory for the kernel page tables");
  // Direct map: physical memory up to the end of RAM, with 1 GiB pages when the CPU has
  // them, else 2 MiB pages. Firmware tables beyond it are reached through map_mmio. (Few
  // table writes: each one is slow when the hypervisor emulates the kernel, as this
  // machine's kvm-pvm does.)
  bool gib_pages =
      cpu::cpuid(0x80000000).eax >= 0x80000001 && (cpu::cpuid(0x80000001).edx & (1u << 26));
  uint64_t step = gib_pages ? (1ull << 30) : kLargePageSize;
  g_direct_map_end = (map.highest_ram_end() + step - 1) & ~(step - 1);
  map_large(kDirectMapBase, 0, g_direct_map_end, kPtePresent | kPteWrite | kPteGlobal | kPteNoExec,
            gib_pages);
  // Kernel image with 4 KiB pages: text read-only and executable, read-only data, data
  // and bss writable and NX, and no mapping for the stack guard pages.
  uint64_t guards[8];
  int guard_count = arch::stack_guard_pages(guards, 8);
  auto kernel_va = [](const char* p) { return reinterpret_cast<uint64_t>(p); };
  uint64_t* pt = nullptr;
  uint64_t pt_region = 0;
  uint64_t next_guard = ~0ull; // the lowest guard page not yet passed
  auto lowest_guard_above = [&](uint64_t va) {
    uint64_t best = ~0ull;
    for (int i = 0; i < guard_count; ++i)
      if (guards[i] >= va && guards[i] < best)
        best = guards[i];
    return best;
  };
  next_guard = lowest_guard_above(kernel_va(__kernel_start));
  for (uint64_t va = kernel_va(__kernel_start); va < kernel_va(__kernel_end); va += kPageSize) {
    if (va == next_guard) { // a handful of guards: no per-page search (emulated, it costs)
      next_guard = lowest_guard_above(va + kPageSize);
      continue;
    }
    uint64_t flags = kPtePresent | kPteGlobal;
    if (va >= kernel_va(__rodata_start))
      flags |= kPteNoExec;
    if (va >= kernel_va(__data_start))
      flags |= kPteWrite;
    // One walk per 2 MiB (page-table page), not per page: each walk is slow when emulated.
    if (!pt || (va >> 21) != pt_region) {
      uint64_t* pte = walk_root(g_kernel_pml4, va, true, kPtePresent | kPteWrite);
      if (!pte)
        panic("out of memory building the kernel page tables");
      pt = pte - pt_index(va);
      pt_region = va >> 21;
    }
    pt[pt_index(va)] = virt_to_phys(reinterpret_cast<void*>(va)) | flags;
  }
  // The MMIO slot gets its PDPT now so every address space shares later MMIO mappings.
  uint64_t* pml4 = table(g_kernel_pml4);
  uint64_t mmio_pdpt = new_table();
  if (!mmio_pdpt)
    panic("out of memory for the kernel page tables");
  pml4[pml4_index(kMmioBase)] = mmio_pdpt | kPtePresent | kPteWrite;

  cpu::write_cr3(g_kernel_pml4);
  g_direct_map_ready = true;
  g_pages.init(static_cast<uint64_t*>(phys_to_virt(bitmap_phys)), map);
  g_pages.reserve(bitmap_phys, g_early_next - bitmap_phys); // bitmap + tables built above
}

uint64_t alloc_page() {
  return g_pages.alloc(1);
}
uint64_t alloc_zeroed_page() {
  uint64_t p = g_pages.alloc(1);
  if (p)
    arch::zero_pages(phys_to_virt(p), 1);
  return p;
}
uint64_t alloc_pages(size_t count) {
  return g_pages.alloc(count);
}
void free_pages(uint64_t phys, size_t count) {
  g_pages.free(phys, count);
}
size_t free_page_count() {
  return g_pages.free_pages();
}
size_t total_page_count() {
  return g_pages.total_pages();
}
bool direct_map_ready() {
  return g_direct_map_ready;
}
uint64_t direct_map_end() {
  return g_direct_map_end;
}
const MemoryMap& memory_map() {
  return *g_map;
}

void* map_mmio(uint64_t phys, size_t size) {
  uint64_t base = page_round_down(phys);
  uint64_t len = page_round_up(phys + size) - base;
  if (g_mmio_next + len > kMmioBase + kMmioSize)
    panic("MMIO window exhausted");
  uint64_t va = g_mmio_next;
  for (uint64_t off = 0; off < len; off += kPageSize) {
    uint64_t* pte = walk_root(g_kernel_pml4, va + off, true, kPtePresent | kPteWrite);
    if (!pte)
      panic("out of memory mapping MMIO at %#lx", base + off);
    *pte = (base + off) | kPtePresent | kPteWrite | kPteCacheDisable | kPteWriteThrough |
           kPteNoExec | kPteGlobal;
  }
  g_mmio_next += len + kPageSize; // unmapped guard page between mappings
  return reinterpret_cast<void*>(va + (phys - base));
}

uint64_t alloc_kernel_stack(size_t bytes) {
  size_t pages = page_round_up(bytes) / kPageSize;
  uint64_t phys = g_pages.alloc(pages);
  if (!phys)
    return 0;
  g_mmio_next += kPageSize; // the guard page below the stack stays unmapped
  if (g_mmio_next + pages * kPageSize > kMmioBase + kMmioSize)
    panic("kernel mapping window exhausted");
  uint64_t va = g_mmio_next;
  for (size_t i = 0; i < pages; ++i) {
    uint64_t* pte = walk_root(g_kernel_pml4, va + i * kPageSize, true, kPtePresent | kPteWrite);
    if (!pte)
      panic("out of memory mapping a kernel stack");
    *pte = (phys + i * kPageSize) | kPtePresent | kPteWrite | kPteNoExec | kPteGlobal;
  }
  g_mmio_next += pages * kPageSize;
  return va;
}

// ---- AddressSpace ----

ErrorOr<AddressSpace*> AddressSpace::create() {
  uint64_t root = alloc_zeroed_page();
  if (!root)
    return Err(-ENOMEM);
  auto* as = new AddressSpace;
  as->pml4_phys_ = root;
  uint64_t* dst = table(root);
  uint64_t* src = table(g_kernel_pml4);
  for (int i = 256; i < 512; ++i)
    dst[i] = src[i];
  if (uint64_t tramp = arch::syscall_trampoline_phys()) {
    uint64_t* pte = as->walk(arch::kSyscallTrampolineVa, true);
    if (!pte) {
      as->destroy();
      return Err(-ENOMEM);
    }
    *pte = tramp | kPtePresent | kPteUser; // read + execute, never writable
  }
  return as;
}

void AddressSpace::destroy() {
  if (g_current == this) {
    cpu::write_cr3(g_kernel_pml4);
    g_current = nullptr;
  }
  uint64_t* t = table(pml4_phys_);
  for (int i = next_present_entry(t, 0); i < 256; i = next_present_entry(t, i + 1))
    free_tables(t[i] & kPteAddrMask, 3);
  g_pages.free(pml4_phys_);
  delete this;
}

uint64_t* AddressSpace::walk(uint64_t va, bool create) const {
  if (va >= kUserEnd)
    return nullptr;
  return walk_root(pml4_phys_, va, create, kPtePresent | kPteWrite | kPteUser);
}

Status AddressSpace::map(uint64_t va, uint64_t phys, unsigned prot) {
  if ((va | phys) & (kPageSize - 1) || va >= arch::kUserMappableEnd || prot == kProtNone)
    return Err(-EINVAL);
  uint64_t* pte = walk(va, true);
  if (!pte)
    return Err(-ENOMEM);
  bool was_present = *pte & kPtePresent;
  *pte = phys | user_pte_flags(prot);
  if (was_present && g_current == this)
    cpu::invlpg(va);
  return status_ok();
}

Status AddressSpace::map_run(uint64_t va, uint64_t phys, size_t count, unsigned prot,
                             size_t* mapped) {
  *mapped = 0;
  if ((va | phys) & (kPageSize - 1) || prot == kProtNone || count > arch::kUserMappableEnd / kPageSize ||
      va >= arch::kUserMappableEnd || arch::kUserMappableEnd - va < count * kPageSize)
    return Err(-EINVAL);
  uint64_t flags = user_pte_flags(prot);
  bool flush = false;
  while (*mapped < count) {
    uint64_t* pte = walk(va, true);
    if (!pte)
      return Err(-ENOMEM);
    // The rest of this page table: consecutive entries.
    size_t room = 512 - pt_index(va);
    size_t n = count - *mapped < room ? count - *mapped : room;
    uint64_t seen = 0, entry = phys | flags;
    for (size_t i = 0; i < n; ++i, entry += kPageSize) {
      seen |= pte[i];
      pte[i] = entry;
    }
    if (seen & kPtePresent)
      flush = true;
    *mapped += n;
    va += n * kPageSize;
    phys += n * kPageSize;
  }
  if (flush && g_current == this)
    cpu::write_cr3(pml4_phys_); // replaced present pages (rare): drop every stale entry
  return status_ok();
}

size_t AddressSpace::absent_run(uint64_t va, size_t max) const {
  size_t n = 0;
  va = page_round_down(va);
  while (n < max && va < arch::kUserMappableEnd) {
    const uint64_t* pte = walk(va, false);
    size_t room = 512 - pt_index(va);
    if (!pte) {
      // No page table here: everything up to the next table boundary is absent.
      n += room;
      va += room * kPageSize;
      continue;
    }
    // pte points at va's entry; scan no further than max needs, four entries a step.
    size_t want = max - n < room ? max - n : room;
    const uint64_t* table_start = pte - pt_index(va);
    int from = static_cast<int>(pt_index(va));
    int first = next_present_entry(table_start, from, from + static_cast<int>(want));
    n += static_cast<size_t>(first - from);
    if (static_cast<size_t>(first - from) < want)
      return n; // a present page ends the run
    va += room * kPageSize;
  }
  return n < max ? n : max;
}

size_t AddressSpace::unmap_range(uint64_t start, uint64_t end,
                                 void (*release)(uint64_t phys, void* ctx), void* ctx) {
  end = page_round_up(end); // whole pages, so every step below advances
  if (end > arch::kUserMappableEnd)
    end = arch::kUserMappableEnd;
  // Few pages: invlpg each; more: one CR3 reload (each invlpg is an exit under emulation).
  constexpr size_t kInvlpgLimit = 8;
  uint64_t flushed[kInvlpgLimit];
  size_t count = 0;
  for (uint64_t va = next_present(start, end); va < end; va = next_present(va, end)) {
    uint64_t* pte = walk(va, false);
    size_t n = 512 - pt_index(va);
    if ((end - va) / kPageSize < n)
      n = (end - va) / kPageSize;
    for (size_t i = 0; i < n; ++i) { // the rest of this table: absent entries cost 4 instructions
      uint64_t e = pte[i];
      if (!(e & kPtePresent))
        continue;
      pte[i] = 0;
      if (count < kInvlpgLimit)
        flushed[count] = va + i * kPageSize;
      ++count;
      release(e & kPteAddrMask, ctx);
    }
    va += n * kPageSize;
  }
  if (g_current == this && count) {
    if (count <= kInvlpgLimit)
      for (size_t i = 0; i < count; ++i)
        cpu::invlpg(flushed[i]);
    else
      cpu::write_cr3(pml4_phys_);
  }
  return count;
}

ErrorOr<uint64_t> AddressSpace::unmap(uint64_t va) {
  if (va >= arch::kUserMappableEnd)
    return Err(-EINVAL);
  uint64_t* pte = walk(page_round_down(va), false);
  if (!pte || !(*pte & kPtePresent))
    return Err(-ENOENT);
  uint64_t phys = *pte & kPteAddrMask;
  *pte = 0;
  if (g_current == this)
    cpu::invlpg(page_round_down(va));
  return phys;
}

uint64_t AddressSpace::next_present(uint64_t va, uint64_t end) const {
  va = page_round_down(va);
  if (end > kUserEnd)
    end = kUserEnd;
  while (va < end) {
    // Descend; at the first absent (or large) entry skip everything it covers.
    uint64_t* t = table(pml4_phys_);
    uint64_t skip = 0;
    for (int level = 4; level > 1; --level) {
      uint64_t e = t[table_index(va, level)];
      if (!(e & kPtePresent) || (e & kPteLarge)) {
        skip = 1ull << (12 + 9 * (level - 1));
        break;
      }
      t = table(e & kPteAddrMask);
    }
    if (!skip) {
      // t is va's page table: scan its entries from va's on instead of descending again
      // for every absent page.
      int i = next_present_entry(t, static_cast<int>(pt_index(va)));
      if (i < 512) {
        uint64_t found = (va & ~(kLargePageSize - 1)) + static_cast<uint64_t>(i) * kPageSize;
        return found < end ? found : end;
      }
      skip = kLargePageSize;
    }
    uint64_t next = (va & ~(skip - 1)) + skip;
    if (next <= va)
      break;
    va = next;
  }
  return end;
}

Status AddressSpace::protect(uint64_t va, unsigned prot) {
  if (prot == kProtNone || va >= arch::kUserMappableEnd)
    return Err(-EINVAL);
  uint64_t* pte = walk(page_round_down(va), false);
  if (!pte || !(*pte & kPtePresent))
    return Err(-ENOENT);
  *pte = (*pte & kPteAddrMask) | user_pte_flags(prot);
  if (g_current == this)
    cpu::invlpg(page_round_down(va));
  return status_ok();
}

ErrorOr<Translation> AddressSpace::translate(uint64_t va) const {
  uint64_t* pte = walk(page_round_down(va), false);
  if (!pte || !(*pte & kPtePresent))
    return Err(-ENOENT);
  return Translation{*pte & kPteAddrMask, prot_of(*pte)};
}

void AddressSpace::activate() {
  cpu::write_cr3(pml4_phys_);
  g_current = this;
}

AddressSpace* AddressSpace::current() {
  return g_current;
}

} // namespace mm
