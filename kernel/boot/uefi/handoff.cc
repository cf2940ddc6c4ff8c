// Leaving the firmware: ExitBootServices with a current map key, the region table the kernel
// reads under stage2 (spec §2.2, written at physical 0x7DAA growing down) and the jump.
#include "loader.h"
#include "memory_map.h"
#include "stage2.h"

namespace uefi_boot {
namespace {

constexpr uint64_t kRegionAnchor = 0x7DAA;
constexpr uint64_t kRecordSize = 20;
constexpr uint32_t kRegionKernImage = 13;
constexpr uint32_t kRegionRsdp = 16;
constexpr size_t kMaxRecords = 96; // the kernel keeps 64 RAM and 64 reserved ranges
constexpr int kExitAttempts = 8;

RegionRecord g_records[kMaxRecords + 2];

struct FinalMap {
  uint8_t* bytes;
  uint64_t size;
  uint64_t descriptor_size;
};

// Exits boot services. The map key changes whenever the firmware allocates (an event may run
// between GetMemoryMap and ExitBootServices), so a refusal means: fetch the map and try again.
// After the first refusal only GetMemoryMap may be called, so the buffer is sized up front.
FinalMap exit_boot_services(efi::Handle image) {
  uint64_t size = 0, key = 0, descriptor_size = 0;
  uint32_t version = 0;
  boot_services()->get_memory_map(&size, nullptr, &key, &descriptor_size, &version);
  if (descriptor_size == 0)
    stage2::fail("GetMemoryMap reports no descriptor size");
  uint64_t capacity = size + 64 * descriptor_size; // room for the firmware's later splits
  auto* bytes = static_cast<uint8_t*>(allocate_pages(capacity, efi::kLoaderData, 0xFFFFFFFFull));
  for (int attempt = 0; attempt < kExitAttempts; ++attempt) {
    size = capacity;
    if (efi::failed(boot_services()->get_memory_map(&size,
                                                    reinterpret_cast<efi::MemoryDescriptor*>(bytes),
                                                    &key, &descriptor_size, &version)))
      stage2::fail("GetMemoryMap failed");
    if (!efi::failed(boot_services()->exit_boot_services(image, key)))
      return {bytes, size, descriptor_size};
  }
  stage2::fail("ExitBootServices kept refusing the memory map key");
}

void write_region(size_t index, const RegionRecord& r) {
  auto* at = reinterpret_cast<uint8_t*>(kRegionAnchor - index * kRecordSize);
  memcpy(at, &r.base, 8);
  memcpy(at + 8, &r.length, 8);
  memcpy(at + 16, &r.type, 4);
}

// The legacy 8259 PICs: OVMF programs them for its timer; the kernel uses the APIC and expects
// them masked, as stage1 leaves them under BIOS.
void mask_legacy_pics() {
  asm volatile("outb %0, $0x21" : : "a"(uint8_t{0xFF}));
  asm volatile("outb %0, $0xA1" : : "a"(uint8_t{0xFF}));
}

} // namespace

void enter_kernel(efi::Handle image, const KernelPlacement& kernel, uint64_t rsdp, bool verbose) {
  // The kernel's first instructions push onto the stack they are given while switching to
  // page tables that map only the first 1 GiB: give it a stack there.
  constexpr uint64_t kStackSize = 16 * 1024;
  auto* stack = static_cast<uint8_t*>(allocate_pages(kStackSize, efi::kLoaderData, 0x3FFFFFFF));
  uint64_t stack_top = reinterpret_cast<uintptr_t>(stack) + kStackSize;

  FinalMap map = exit_boot_services(image);
  asm volatile("cli");
  mask_legacy_pics();

  size_t n =
      regions_from_memory_map(map.bytes, map.size, map.descriptor_size, g_records, kMaxRecords);
  if (n == 0)
    stage2::fail("the firmware's memory map does not fit the region table");
  g_records[n++] = {kernel.file, (kernel.file_size + 4095) & ~4095ull, kRegionKernImage};
  if (rsdp)
    g_records[n++] = {rsdp, 36, kRegionRsdp};
  // Records plus the end record, below the anchor's own record: all in memory that is free now
  // (the kernel never hands out the first 1 MiB).
  uint64_t lowest = kRegionAnchor - n * kRecordSize;
  if (!ram_covers(g_records, n, lowest, kRegionAnchor + kRecordSize - lowest))
    stage2::fail("the region table's place at 0x7DAA is firmware memory");
  for (size_t i = 0; i < n; ++i)
    write_region(i, g_records[i]);
  write_region(n, {0, 0, 0});

  if (verbose) {
    stage2::print("uefi: entering /kernel at ");
    stage2::print_hex(kernel.entry);
    stage2::print("\n");
  }
  // RDI = RSI = RDX = 0: "booted by our loader, region table at 0x7DAA" (as from stage2).
  asm volatile("mov %0, %%rsp\n"
               "xor %%edi, %%edi\n"
               "xor %%esi, %%esi\n"
               "xor %%edx, %%edx\n"
               "xor %%ebp, %%ebp\n"
               "jmp *%1"
               :
               : "r"(stack_top), "a"(kernel.entry)
               : "memory");
  __builtin_unreachable();
}

} // namespace uefi_boot
