#include "arch/x86_64/boot_info.h"

#include "arch/x86_64/boot_internal.h"
#include "arch/x86_64/xen/hypercall.h"
#include "lib/errno.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/layout.h"

extern "C" char __kernel_start[], __kernel_end[]; // kernel.ld

namespace boot {
namespace {
Info g_info;
mm::MemoryMap g_map;

constexpr uint32_t kPvhMagic = 0x336EC578;

template <typename T> T read_le(uint64_t phys) {
  T v;
  // Runs on the early page tables: the first 1 GiB is identity mapped.
  memcpy(&v, reinterpret_cast<const void*>(phys), sizeof(T));
  return v;
}

// Legacy memory below 1 MiB that firmware and stage2 use (IVT, BDA, EBDA, region table,
// stage2, VGA, ROMs): never handed out.
void reserve_low_memory(mm::MemoryMap& map) {
  map.add_reserved(0, 0x100000);
}
// Copies the NUL-terminated command line at physical `phys` (0 = none) of at most
// `max_len` bytes, truncated to fit.
void copy_cmdline(uint64_t phys, uint64_t max_len = ~0ull) {
  if (!phys)
    return;
  size_t i = 0;
  for (; i + 1 < sizeof(g_info.cmdline) && i < max_len; ++i) {
    char c = read_le<char>(phys + i);
    if (!c)
      break;
    g_info.cmdline[i] = c;
  }
  g_info.cmdline[i] = 0;
}

// Under Xen, the map Xen keeps for the domain (XENMEM_memory_map): for start infos of
// version 0, which have none. 0 when it gave RAM; otherwise why not (-ENODEV: not Xen).
int read_xen_memory_map(mm::MemoryMap& map) {
  constexpr uint32_t kMaxEntries = 128;
  static uint8_t entries[kMaxEntries * xen::kE820EntrySize];
  if (!xen::present())
    return -ENODEV;
  auto count = xen::memory_map(entries, kMaxEntries);
  if (!count)
    return count.error();
  mm::parse_e820(entries, count.value(), map);
  kprintf("boot: memory map from Xen (XENMEM_memory_map): %u entries, %lu RAM ranges\n",
          count.value(), static_cast<unsigned long>(map.ram_count));
  return map.ram_count ? 0 : -ENOMEM;
}
} // namespace

mm::MemoryMap& init(uint32_t path, uint64_t start_info) {
  g_info.path = path == 1 ? Path::kPvh : path == 2 ? Path::kLinux : Path::kStage2;
  g_info.start_info_phys = start_info;
  if (g_info.path == Path::kLinux) {
    // Linux zero page ("boot_params"): 0xAA55 at 0x1FE, "HdrS" at 0x202, E820 entry count
    // at 0x1E8, the table at 0x2D0, command line pointer at 0x228.
    if (read_le<uint16_t>(start_info + 0x1FE) != 0xAA55 ||
        read_le<uint32_t>(start_info + 0x202) != 0x53726448)
      panic("RSI = %#lx is not a Linux zero page", static_cast<unsigned long>(start_info));
    uint8_t entries = read_le<uint8_t>(start_info + 0x1E8);
    if (entries > 128)
      entries = 128;
    mm::parse_e820(reinterpret_cast<const uint8_t*>(start_info + 0x2D0), entries, g_map);
    if (g_map.ram_count == 0)
      panic("no RAM in the zero page's E820 table");
    copy_cmdline(read_le<uint32_t>(start_info + 0x228));
  } else if (g_info.path == Path::kPvh) {
    if (read_le<uint32_t>(start_info) != kPvhMagic)
      panic("PVH start_info at %#lx has a bad magic", static_cast<unsigned long>(start_info));
    uint32_t version = read_le<uint32_t>(start_info + 4);
    uint64_t cmdline = read_le<uint64_t>(start_info + 24);
    g_info.rsdp_phys = read_le<uint64_t>(start_info + 32);
    copy_cmdline(cmdline);
    uint64_t memmap = version >= 1 ? read_le<uint64_t>(start_info + 40) : 0;
    uint32_t entries = version >= 1 ? read_le<uint32_t>(start_info + 48) : 0;
    // core.selftest.xen-memory-map ignores the start info's map, to test the fallback
    // under a Xen whose start info has one.
    bool have_map = memmap && entries && !cmdline_has("core.selftest.xen-memory-map");
    if (have_map)
      mm::parse_pvh_memmap(reinterpret_cast<const uint8_t*>(memmap), entries, g_map);
    else if (int error = read_xen_memory_map(g_map))
      panic("PVH start_info has no memory map (version %u), and Xen gave none (%d)", version,
            error);
  } else {
    size_t n =
        mm::parse_region_table(reinterpret_cast<const uint8_t*>(mm::kRegionTableAnchor),
                               (mm::kRegionTableAnchor - 0x500) / mm::kRegionRecordSize, g_map);
    if (n == 0 || g_map.ram_count == 0)
      panic("no RAM in the boot region table");
    // A CMDLINE record (type 11; not written by our stage2, but by loaders that have one) and
    // an RSDP record (type 16; our UEFI loader: UEFI firmware need not leave the RSDP in the
    // BIOS area that acpi.cc would otherwise scan).
    for (size_t i = 0; i < n; ++i) {
      uint64_t rec = mm::kRegionTableAnchor - i * mm::kRegionRecordSize;
      uint32_t type = read_le<uint32_t>(rec + 16);
      if (type == mm::kRegionCmdline)
        copy_cmdline(read_le<uint64_t>(rec), read_le<uint64_t>(rec + 8));
      else if (type == mm::kRegionRsdp)
        g_info.rsdp_phys = read_le<uint64_t>(rec);
    }
  }
  reserve_low_memory(g_map);
  g_map.add_reserved(mm::virt_to_phys(__kernel_start),
                     static_cast<uint64_t>(__kernel_end - __kernel_start));
  g_map.finalize();
  return g_map;
}

const Info& info() {
  return g_info;
}

bool cmdline_has(const char* word) {
  size_t wl = strlen(word);
  const char* p = g_info.cmdline;
  while (*p) {
    while (*p == ' ')
      ++p;
    const char* start = p;
    while (*p && *p != ' ')
      ++p;
    if (static_cast<size_t>(p - start) == wl && memcmp(start, word, wl) == 0)
      return true;
  }
  return false;
}

} // namespace boot
