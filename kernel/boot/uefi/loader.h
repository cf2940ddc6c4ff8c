// The UEFI loader's internal interfaces (BOOTX64.EFI; x86-64, boot services running until
// enter_kernel(), identity-mapped memory).
#pragma once
#include "efi.h"
#include "tfs_lookup.h"

namespace uefi_boot {

// The firmware's tables, kept for the whole run.
extern efi::SystemTable* g_system_table;
inline efi::BootServices* boot_services() {
  return g_system_table->boot_services;
}

// The whole disk the loader was read from (boot_disk.cc): the Loaded Image protocol's device
// handle is the EFI system partition; its device path minus the partition node names the
// disk. Halts with a message when there is none.
efi::BlockIo* find_boot_disk(efi::Handle image);

// Reads 512-byte sectors through Block I/O (LoaderServices::read; ctx is the BlockIo).
bool disk_read(void* ctx, uint64_t lba, uint32_t count, void* dst);

// Zeroed loader memory below 4 GiB (LoaderServices::alloc): a bump arena over pages from
// AllocatePages, so the thousands of small TFS allocations cost no firmware calls.
void* memory_alloc(void* ctx, size_t size, size_t align);

// Pages below `max_address` of the given type, zeroed; halts when the firmware has none.
void* allocate_pages(uint64_t bytes, efi::MemoryType type, uint64_t max_address);

// Where /kernel's segments went and how to enter it (kernel_image.cc).
struct KernelPlacement {
  uint64_t entry; // physical, inside the segments
  uint64_t file;  // the ELF file buffer (KERNIMAGE)
  uint64_t file_size;
};
// Copies every PT_LOAD of the ELF file to its p_paddr (pages claimed from the firmware at
// exactly those addresses) and zeroes the BSS parts. Halts with a message on a bad file.
KernelPlacement place_kernel(const uint8_t* image, uint32_t size);

// The ACPI RSDP from the configuration table (ACPI 2.0 entry first, then 1.0), or 0.
uint64_t find_rsdp();

// Exits boot services (retrying while the memory map key changes), writes the region table
// at 0x7DAA down (RAM from the final memory map, KERNIMAGE, RSDP) and jumps to the kernel
// with RDI = RSI = RDX = 0 and interrupts off, as stage2 does (handoff.cc).
[[noreturn]] void enter_kernel(efi::Handle image, const KernelPlacement& kernel, uint64_t rsdp,
                               bool verbose);

} // namespace uefi_boot
