// Placing /kernel's PT_LOAD segments at their physical addresses (ELF64 program headers, as
// stage2 reads them): the pages are claimed from the firmware first, so nothing of the
// firmware's lives there, and the entry point is reached through the firmware's identity map.
#include "loader.h"
#include "stage2.h"

namespace uefi_boot {
namespace {

template <typename T> T field(const uint8_t* p, uint64_t offset) {
  T v;
  memcpy(&v, p + offset, sizeof(T));
  return v;
}

constexpr uint32_t kPtLoad = 1;

struct Span {
  uint64_t low = ~0ull;
  uint64_t high = 0;
};

// Checks the headers and returns the physical span of all PT_LOADs.
Span load_span(const uint8_t* image, uint32_t size) {
  boot_load::ProgramHeaders headers;
  if (const char* e = boot_load::kernel_program_headers(image, size, &headers))
    stage2::fail(e);
  uint64_t phoff = headers.offset;
  uint16_t phentsize = headers.entry_size;
  uint16_t phnum = headers.count;
  Span span;
  for (uint16_t i = 0; i < phnum; ++i) {
    const uint8_t* ph = image + phoff + uint64_t{i} * phentsize;
    if (field<uint32_t>(ph, 0) != kPtLoad)
      continue;
    uint64_t offset = field<uint64_t>(ph, 8), paddr = field<uint64_t>(ph, 24);
    uint64_t filesz = field<uint64_t>(ph, 32), memsz = field<uint64_t>(ph, 40);
    if (filesz > memsz || offset > size || filesz > size - offset)
      stage2::fail("/kernel has a PT_LOAD segment outside the file");
    // The kernel's early page tables identity-map the first 1 GiB only.
    if (paddr < 0x100000 || memsz > 0x40000000 || paddr + memsz > 0x40000000)
      stage2::fail("/kernel has a PT_LOAD segment at an unusable physical address");
    span.low = paddr < span.low ? paddr : span.low;
    span.high = paddr + memsz > span.high ? paddr + memsz : span.high;
  }
  if (span.high == 0)
    stage2::fail("/kernel has no PT_LOAD segment");
  return span;
}

} // namespace

KernelPlacement place_kernel(const uint8_t* image, uint32_t size) {
  Span span = load_span(image, size);
  uint64_t base = span.low & ~0xFFFull;
  uint64_t pages = (span.high - base + 4095) / 4096;
  // Loader *code*: firmware with memory protection maps loader data no-execute.
  uint64_t address = base;
  if (efi::failed(boot_services()->allocate_pages(efi::kAllocateAddress, efi::kLoaderCode, pages,
                                                  &address)))
    stage2::fail("/kernel's physical addresses are in use by the firmware");
  memset(reinterpret_cast<void*>(base), 0, pages * 4096); // BSS parts and gaps
  uint64_t phoff = field<uint64_t>(image, 32);
  uint16_t phentsize = field<uint16_t>(image, 54);
  for (uint16_t i = 0; i < field<uint16_t>(image, 56); ++i) {
    const uint8_t* ph = image + phoff + uint64_t{i} * phentsize;
    if (field<uint32_t>(ph, 0) == kPtLoad)
      memcpy(reinterpret_cast<void*>(field<uint64_t>(ph, 24)), image + field<uint64_t>(ph, 8),
             field<uint64_t>(ph, 32));
  }
  uint64_t entry = field<uint64_t>(image, 24);
  if (entry < span.low || entry >= span.high)
    stage2::fail("/kernel's entry point is not a physical address inside its segments");
  return {entry, reinterpret_cast<uintptr_t>(image), size};
}

uint64_t find_rsdp() {
  const efi::SystemTable* st = g_system_table;
  uint64_t acpi1 = 0;
  for (uint64_t i = 0; i < st->number_of_table_entries; ++i) {
    const efi::ConfigurationTable& t = st->configuration_table[i];
    if (efi::same_guid(t.vendor_guid, efi::kAcpi20TableGuid))
      return reinterpret_cast<uintptr_t>(t.vendor_table);
    if (efi::same_guid(t.vendor_guid, efi::kAcpi10TableGuid))
      acpi1 = reinterpret_cast<uintptr_t>(t.vendor_table);
  }
  return acpi1;
}

} // namespace uefi_boot
