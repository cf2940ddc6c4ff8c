// Finding and reading /kernel on a Nanos-format disk, shared by both boot loaders: stage2
// (32-bit, BIOS disk reads) and the UEFI loader (64-bit, Block IO). Each loader supplies its
// own disk reads and memory; this code only decodes the MBR and the boot TFS.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace boot_load {

// What a loader provides. `read` reads `count` 512-byte sectors of the boot disk from `lba`
// into `dst` and returns false on a device error. `alloc` returns zeroed memory aligned to
// `align`, or nullptr when there is none left (the caller reports it).
struct LoaderServices {
  bool (*read)(void* ctx, uint64_t lba, uint32_t count, void* dst);
  void* (*alloc)(void* ctx, size_t size, size_t align);
  void* ctx;
};

// The boot TFS's first sector from the MBR in `mbr` (512 bytes): partition entry 0, or entry
// 1 when entry 0 is an EFI system partition (type 0xEF), as in spec §1.2. Returns nullptr and
// sets *lba, or a one-line reason.
const char* boot_partition_lba(const uint8_t* mbr, uint64_t* lba);

// Finds /kernel in the TFS that starts at sector `part_lba` and reads it whole into memory
// from `services.alloc`. Returns nullptr on success, or a one-line reason.
const char* tfs_load_kernel(const LoaderServices& services, uint64_t part_lba, uint8_t** data,
                            uint32_t* size);

// Where /kernel's ELF64 program header table is.
struct ProgramHeaders {
  uint64_t offset;
  uint16_t entry_size;
  uint16_t count;
};

// Checks that the file is a little-endian x86-64 ELF64 whose program header table lies inside
// it. Returns nullptr and the table, or a one-line reason (the same for both loaders).
const char* kernel_program_headers(const uint8_t* image, uint32_t size, ProgramHeaders* out);

} // namespace boot_load
