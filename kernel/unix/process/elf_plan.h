// Reads an x86-64 ELF header and program headers (from a kernel buffer holding at least the
// first page of the file) into a load plan: what to map where, the entry point, PT_INTERP
// and the values auxv needs. Pure logic so it is unit-tested on the host; the mapping itself
// belongs to the loader.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix {

struct ElfSegment {
  uint64_t vaddr;     // unbiased p_vaddr
  uint64_t offset;    // p_offset
  uint64_t file_size; // p_filesz
  uint64_t mem_size;  // p_memsz
  uint32_t flags;     // PF_X=1 PF_W=2 PF_R=4
};

inline constexpr size_t kMaxElfSegments = 16;

struct ElfPlan {
  bool position_independent = false; // ET_DYN
  uint64_t entry = 0;                // unbiased e_entry
  uint64_t phdr_vaddr = 0;           // unbiased address of the program headers, 0 if unmapped
  uint16_t phnum = 0;
  uint16_t phentsize = 0;
  uint64_t interp_offset = 0; // file offset of the PT_INTERP string (0: none)
  uint64_t interp_size = 0;
  uint64_t lowest_vaddr = 0; // page-aligned
  uint64_t highest_end = 0;  // end of the last PT_LOAD, unaligned (brk starts above it)
  ElfSegment segments[kMaxElfSegments] = {};
  size_t segment_count = 0;
};

// Returns 0 on success or -ENOEXEC (not a loadable x86-64 ELF / malformed headers).
int plan_elf(const uint8_t* data, size_t size, ElfPlan* out);

} // namespace unix
