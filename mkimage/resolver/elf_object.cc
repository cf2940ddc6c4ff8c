#include "resolver/elf_object.h"

#include "resolver/error_text.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <fcntl.h>
#include <unistd.h>

namespace mkimage {
namespace {

using ELFT = llvm::object::ELF64LE;
using Phdr = ELFT::Phdr;

llvm::Error fail(llvm::StringRef path, const llvm::Twine& what) {
  return errorLine(path + ": " + what);
}

// The e_ident/e_* checks of glibc's open_verify(), in its order: some mismatches make
// ld.so skip the candidate, the others are fatal for the whole program start.
llvm::Expected<ElfVerdict> checkHeader(llvm::StringRef path, llvm::StringRef data) {
  namespace E = llvm::ELF;
  if (data.size() < sizeof(E::Elf64_Ehdr))
    return fail(path,
                "file too short to be an ELF object (" + llvm::Twine(data.size()) + " bytes)");
  auto id = reinterpret_cast<const unsigned char*>(data.data());
  if (id[E::EI_MAG0] != 0x7f || id[E::EI_MAG1] != 'E' || id[E::EI_MAG2] != 'L' ||
      id[E::EI_MAG3] != 'F')
    return fail(path, "invalid ELF header (not an ELF file)");
  if (id[E::EI_CLASS] != E::ELFCLASS64)
    return ElfVerdict::WrongClass;
  if (id[E::EI_DATA] != E::ELFDATA2LSB)
    return fail(path, "ELF file data encoding not little-endian");
  if (id[E::EI_VERSION] != E::EV_CURRENT)
    return fail(path, "ELF file version ident does not match current one");
  unsigned osabi = id[E::EI_OSABI], abiversion = id[E::EI_ABIVERSION];
  if (osabi != E::ELFOSABI_NONE && osabi != E::ELFOSABI_GNU)
    return fail(path, "ELF file OS ABI invalid (" + llvm::Twine(osabi) + ")");
  // glibc accepts GNU ABI versions below its LIBC_ABI_MAX (4 in 2.36).
  if ((osabi == E::ELFOSABI_NONE && abiversion != 0) ||
      (osabi == E::ELFOSABI_GNU && abiversion >= 4))
    return fail(path, "ELF file ABI version invalid (" + llvm::Twine(abiversion) + ")");
  for (unsigned i = E::EI_PAD; i < E::EI_NIDENT; ++i)
    if (id[i] != 0)
      return fail(path, "nonzero padding in e_ident");
  E::Elf64_Ehdr header;
  memcpy(&header, data.data(), sizeof header);
  if (header.e_version != E::EV_CURRENT)
    return fail(path, "ELF file version does not match current one");
  if (header.e_machine != E::EM_X86_64)
    return ElfVerdict::WrongMachine;
  if (header.e_type != E::ET_DYN && header.e_type != E::ET_EXEC)
    return fail(path, "only ET_DYN and ET_EXEC can be loaded (e_type " +
                          llvm::Twine(header.e_type) + ")");
  if (header.e_phentsize != sizeof(Phdr))
    return fail(path, "ELF file's phentsize not the expected size");
  return ElfVerdict::Usable;
}

// Maps a virtual address to a file offset through the PT_LOAD segments (what the loader
// has in memory), or fails.
bool addressToOffset(llvm::ArrayRef<Phdr> phdrs, uint64_t address, uint64_t& offset,
                     uint64_t& available) {
  for (const Phdr& p : phdrs) {
    if (p.p_type != llvm::ELF::PT_LOAD)
      continue;
    if (address >= p.p_vaddr && address - p.p_vaddr < p.p_filesz) {
      offset = p.p_offset + (address - p.p_vaddr);
      available = p.p_filesz - (address - p.p_vaddr);
      return true;
    }
  }
  return false;
}

llvm::Error readDynamic(llvm::StringRef path, llvm::StringRef data, llvm::ArrayRef<Phdr> phdrs,
                        const Phdr& dynamic, ElfObjectInfo& info) {
  namespace E = llvm::ELF;
  if (dynamic.p_offset > data.size() || dynamic.p_filesz > data.size() - dynamic.p_offset)
    return fail(path, "corrupt dynamic section: PT_DYNAMIC lies outside the file");
  size_t count = dynamic.p_filesz / sizeof(E::Elf64_Dyn);
  const char* base = data.data() + dynamic.p_offset;
  uint64_t strtab = 0, strsz = 0;
  bool haveStrtab = false, haveStrsz = false, terminated = false;
  struct Ref {
    int64_t tag;
    uint64_t offset;
  };
  std::vector<Ref> refs;
  for (size_t i = 0; i < count; ++i) {
    E::Elf64_Dyn d;
    memcpy(&d, base + i * sizeof d, sizeof d);
    switch (d.d_tag) {
    case E::DT_NULL:
      terminated = true;
      break;
    case E::DT_STRTAB:
      strtab = d.d_un.d_ptr, haveStrtab = true;
      break;
    case E::DT_STRSZ:
      strsz = d.d_un.d_val, haveStrsz = true;
      break;
    case E::DT_NEEDED:
    case E::DT_FILTER:
    case E::DT_AUXILIARY:
    case E::DT_SONAME:
    case E::DT_RPATH:
    case E::DT_RUNPATH:
      refs.push_back({d.d_tag, d.d_un.d_val});
      break;
    case E::DT_FLAGS_1:
      info.noDefaultLib = (d.d_un.d_val & E::DF_1_NODEFLIB) != 0;
      break;
    default:
      break;
    }
    if (terminated)
      break;
  }
  if (!terminated)
    return fail(path, "corrupt dynamic section: no DT_NULL terminator");
  if (refs.empty())
    return llvm::Error::success();
  if (!haveStrtab || !haveStrsz)
    return fail(path, "corrupt dynamic section: strings referenced but DT_STRTAB/DT_STRSZ missing");
  uint64_t strOffset = 0, available = 0;
  if (!addressToOffset(phdrs, strtab, strOffset, available) || strsz > available)
    return fail(path, "corrupt dynamic section: DT_STRTAB 0x" + llvm::Twine::utohexstr(strtab) +
                          " (size " + llvm::Twine(strsz) + ") is not inside a loaded segment");
  llvm::StringRef strings = data.substr(strOffset, strsz);
  for (const Ref& r : refs) {
    if (r.offset >= strings.size())
      return fail(path, "corrupt dynamic section: string offset " + llvm::Twine(r.offset) +
                            " is outside DT_STRTAB (size " + llvm::Twine(strings.size()) + ")");
    size_t end = strings.find('\0', r.offset);
    if (end == llvm::StringRef::npos)
      return fail(path, "corrupt dynamic section: unterminated string at offset " +
                            llvm::Twine(r.offset));
    std::string value = strings.slice(r.offset, end).str();
    switch (r.tag) {
    case E::DT_NEEDED:
      info.dependencies.push_back({ElfDependency::Kind::Needed, std::move(value)});
      break;
    case E::DT_FILTER:
      info.dependencies.push_back({ElfDependency::Kind::Filter, std::move(value)});
      break;
    case E::DT_AUXILIARY:
      info.dependencies.push_back({ElfDependency::Kind::Auxiliary, std::move(value)});
      break;
    case E::DT_SONAME:
      info.soname = std::move(value);
      break;
    case E::DT_RPATH:
      info.hasRpath = true, info.rpath = std::move(value);
      break;
    case E::DT_RUNPATH:
      info.hasRunpath = true, info.runpath = std::move(value);
      break;
    }
  }
  return llvm::Error::success();
}

} // namespace

bool looksLikeX86_64Object(const std::string& hostPath) {
  namespace E = llvm::ELF;
  int fd = ::open(hostPath.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return false;
  E::Elf64_Ehdr header;
  ssize_t n = ::pread(fd, &header, sizeof header, 0);
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof header))
    return false;
  const unsigned char* id = header.e_ident;
  return id[E::EI_MAG0] == 0x7f && id[E::EI_MAG1] == 'E' && id[E::EI_MAG2] == 'L' &&
         id[E::EI_MAG3] == 'F' && id[E::EI_CLASS] == E::ELFCLASS64 &&
         id[E::EI_DATA] == E::ELFDATA2LSB && header.e_machine == E::EM_X86_64 &&
         (header.e_type == E::ET_DYN || header.e_type == E::ET_EXEC);
}

llvm::Expected<ElfReadResult> readElfObject(llvm::StringRef hostPath) {
  // Only regular files: a FIFO would block and a device like /dev/zero never ends.
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(hostPath, status))
    return fail(hostPath, "cannot read: " + ec.message());
  if (status.type() == llvm::sys::fs::file_type::directory_file)
    return fail(hostPath, "cannot read: Is a directory");
  if (status.type() != llvm::sys::fs::file_type::regular_file)
    return fail(hostPath, "cannot read: not a regular file");
  auto buffer = llvm::MemoryBuffer::getFile(hostPath, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(hostPath, "cannot read: " + buffer.getError().message());
  return parseElfObject(hostPath, (*buffer)->getBuffer());
}

llvm::Expected<ElfReadResult> parseElfObject(llvm::StringRef hostPath, llvm::StringRef data) {
  ElfReadResult result;
  auto verdict = checkHeader(hostPath, data);
  if (!verdict)
    return verdict.takeError();
  result.verdict = *verdict;
  if (result.verdict != ElfVerdict::Usable)
    return result;

  auto file = llvm::object::ELFFile<ELFT>::create(data);
  if (!file)
    return fail(hostPath, errorText(file.takeError()));
  auto phdrs = file->program_headers();
  if (!phdrs)
    return fail(hostPath, "corrupt program headers: " + errorText(phdrs.takeError()));

  const Phdr* dynamic = nullptr;
  size_t loads = 0;
  for (const Phdr& p : *phdrs) {
    if (p.p_type == llvm::ELF::PT_LOAD) {
      // The loader maps p_filesz bytes from p_offset: a truncated file (a cut download,
      // `head -c`) would give a program whose code ends early.
      if (p.p_offset > data.size() || p.p_filesz > data.size() - p.p_offset)
        return fail(hostPath, "truncated: PT_LOAD segment " + llvm::Twine(loads) +
                                  " (file offset " + llvm::Twine(p.p_offset) + ", " +
                                  llvm::Twine(p.p_filesz) +
                                  " bytes) ends past the end of the file (" +
                                  llvm::Twine(data.size()) + " bytes)");
      if (p.p_filesz > p.p_memsz)
        return fail(hostPath, "corrupt PT_LOAD segment " + llvm::Twine(loads) +
                                  ": more bytes in the file than in memory");
      ++loads;
    } else if (p.p_type == llvm::ELF::PT_INTERP) {
      if (p.p_offset > data.size() || p.p_filesz > data.size() - p.p_offset || p.p_filesz == 0)
        return fail(hostPath, "corrupt PT_INTERP: outside the file");
      llvm::StringRef interp = data.substr(p.p_offset, p.p_filesz);
      if (interp.back() != '\0')
        return fail(hostPath, "corrupt PT_INTERP: the interpreter path is not NUL-terminated");
      result.info.interpreter = interp.take_until([](char c) { return c == '\0'; }).str();
      if (result.info.interpreter.empty())
        return fail(hostPath, "corrupt PT_INTERP: empty path");
    } else if (p.p_type == llvm::ELF::PT_DYNAMIC && !dynamic) {
      dynamic = &p;
    }
  }
  if (loads == 0)
    return fail(hostPath, "no PT_LOAD segment: nothing to load");
  if (dynamic) {
    result.info.hasDynamic = true;
    if (auto err = readDynamic(hostPath, data, *phdrs, *dynamic, result.info))
      return err;
  }
  // ld.so drops DT_RPATH when DT_RUNPATH is present (elf_get_dynamic_info).
  if (result.info.hasRunpath) {
    result.info.hasRpath = false;
    result.info.rpath.clear();
  }
  return result;
}

} // namespace mkimage
