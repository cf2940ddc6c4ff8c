#include "image/kernel_image.h"

#include "llvm/Support/Endian.h"

namespace mkimage {

namespace {

using llvm::support::endian::read16le;
using llvm::support::endian::read32le;
using llvm::support::endian::read64le;

constexpr uint32_t kPtLoad = 1, kPtNote = 4;
constexpr uint32_t kXenElfNotePhys32Entry = 18;

llvm::Error bad(const std::string& path, const llvm::Twine& what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 ("kernel " + path + ": " + what).str());
}

// Looks for the note "Xen"/18 in one PT_NOTE segment (notes: namesz, descsz, type, then the
// name and the descriptor, each padded to 4 bytes).
bool findPvhNote(llvm::StringRef notes, uint32_t* entry) {
  size_t at = 0;
  while (notes.size() - at >= 12) {
    uint32_t namesz = read32le(notes.data() + at);
    uint32_t descsz = read32le(notes.data() + at + 4);
    uint32_t type = read32le(notes.data() + at + 8);
    size_t name = at + 12;
    size_t desc = name + ((static_cast<size_t>(namesz) + 3) & ~size_t{3});
    size_t next = desc + ((static_cast<size_t>(descsz) + 3) & ~size_t{3});
    if (desc > notes.size() || next > notes.size() || next <= at)
      return false;
    if (type == kXenElfNotePhys32Entry && namesz == 4 &&
        notes.substr(name, 4) == llvm::StringRef("Xen\0", 4) && descsz >= 4) {
      *entry = read32le(notes.data() + desc);
      return true;
    }
    at = next;
  }
  return false;
}

} // namespace

llvm::Expected<KernelImageInfo> checkKernelImage(llvm::StringRef bytes, const std::string& path) {
  if (bytes.size() < 64)
    return bad(path, "not an ELF file (" + llvm::Twine(bytes.size()) + " bytes)");
  if (!bytes.startswith("\x7f"
                        "ELF"))
    return bad(path, "not an ELF file (no \\x7fELF magic)");
  const char* d = bytes.data();
  if (d[4] != 2 || d[5] != 1)
    return bad(path, "not a little-endian ELF64 file");
  if (read16le(d + 18) != 62)
    return bad(path, "not an x86-64 ELF file (e_machine " + llvm::Twine(read16le(d + 18)) + ")");
  if (read16le(d + 16) != 2)
    return bad(path,
               "not an executable (e_type " + llvm::Twine(read16le(d + 16)) + ", not ET_EXEC)");
  uint64_t phoff = read64le(d + 32);
  uint16_t phentsize = read16le(d + 54), phnum = read16le(d + 56);
  if (phentsize < 56 || phoff > bytes.size() ||
      static_cast<uint64_t>(phnum) * phentsize > bytes.size() - phoff)
    return bad(path, "program header table outside the file");
  KernelImageInfo info;
  info.entry = read64le(d + 24);
  unsigned loads = 0;
  bool pvh = false;
  for (uint16_t i = 0; i < phnum; ++i) {
    const char* ph = d + phoff + static_cast<uint64_t>(i) * phentsize;
    uint32_t type = read32le(ph);
    uint64_t offset = read64le(ph + 8), filesz = read64le(ph + 32), memsz = read64le(ph + 40);
    if (type != kPtLoad && type != kPtNote)
      continue;
    if (offset > bytes.size() || filesz > bytes.size() - offset)
      return bad(path, "truncated: segment " + llvm::Twine(i) + " ends past the end of the file");
    if (type == kPtLoad) {
      if (filesz > memsz)
        return bad(path,
                   "segment " + llvm::Twine(i) + " has more bytes in the file than in memory");
      ++loads;
    } else if (!pvh) {
      pvh = findPvhNote(bytes.substr(offset, filesz), &info.pvhEntry);
    }
  }
  if (loads == 0)
    return bad(path, "no PT_LOAD segment");
  if (!pvh)
    return bad(path, "no PVH entry note (ELF note \"Xen\" type 18 in a PT_NOTE segment); not a "
                     "Nanos kernel");
  return info;
}

} // namespace mkimage
