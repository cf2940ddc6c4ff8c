#include "unix/process/elf_plan.h"

#include "lib/errno.h"

namespace unix {
namespace {

template <typename T> T read(const uint8_t* p) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
  return v;
}

constexpr uint32_t kPtLoad = 1, kPtInterp = 3, kPtPhdr = 6;
constexpr uint64_t kPage = 4096;

} // namespace

int plan_elf(const uint8_t* data, size_t size, ElfPlan* out) {
  *out = ElfPlan{};
  if (size < 64 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F')
    return -ENOEXEC;
  if (data[4] != 2 /*ELFCLASS64*/ || data[5] != 1 /*little endian*/)
    return -ENOEXEC;
  const uint16_t type = read<uint16_t>(data + 16);
  if ((type != 2 /*ET_EXEC*/ && type != 3 /*ET_DYN*/) || read<uint16_t>(data + 18) != 62)
    return -ENOEXEC;
  out->position_independent = type == 3;
  out->entry = read<uint64_t>(data + 24);
  const uint64_t phoff = read<uint64_t>(data + 32);
  out->phentsize = read<uint16_t>(data + 54);
  out->phnum = read<uint16_t>(data + 56);
  if (out->phentsize < 56 || out->phnum == 0 || phoff > size ||
      static_cast<uint64_t>(out->phnum) * out->phentsize > size - phoff)
    return -ENOEXEC;

  bool first = true;
  for (uint16_t i = 0; i < out->phnum; ++i) {
    const uint8_t* ph = data + phoff + static_cast<uint64_t>(i) * out->phentsize;
    const uint32_t ptype = read<uint32_t>(ph);
    const uint64_t offset = read<uint64_t>(ph + 8);
    const uint64_t vaddr = read<uint64_t>(ph + 16);
    const uint64_t filesz = read<uint64_t>(ph + 32);
    const uint64_t memsz = read<uint64_t>(ph + 40);
    if (ptype == kPtInterp) {
      if (filesz < 2 || offset > size || filesz > size - offset || data[offset + filesz - 1])
        return -ENOEXEC;
      out->interp_offset = offset;
      out->interp_size = filesz;
    } else if (ptype == kPtPhdr) {
      out->phdr_vaddr = vaddr;
    } else if (ptype == kPtLoad) {
      if (out->segment_count == kMaxElfSegments || filesz > memsz ||
          (vaddr % kPage) != (offset % kPage) || vaddr + memsz < vaddr)
        return -ENOEXEC;
      out->segments[out->segment_count++] = {vaddr, offset, filesz, memsz, read<uint32_t>(ph + 4)};
      if (first)
        out->lowest_vaddr = vaddr & ~(kPage - 1);
      first = false;
      if (vaddr + memsz > out->highest_end)
        out->highest_end = vaddr + memsz;
      // Without PT_PHDR the headers are mapped if a segment covers them from the file.
      if (out->phdr_vaddr == 0 && phoff >= offset && phoff < offset + filesz)
        out->phdr_vaddr = vaddr + (phoff - offset);
    }
  }
  return out->segment_count == 0 ? -ENOEXEC : 0;
}

} // namespace unix
