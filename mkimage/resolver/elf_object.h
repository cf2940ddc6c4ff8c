// Reads the parts of an ELF file the dynamic loader looks at: the header checks glibc's
// open_verify() makes (which decide between "skip this candidate" and "fatal error"),
// PT_INTERP, and the dynamic section's DT_NEEDED/DT_RPATH/DT_RUNPATH/DT_SONAME/...
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mkimage {

struct ElfDependency {
  enum class Kind { Needed, Filter, Auxiliary } kind = Kind::Needed;
  std::string name;
};

struct ElfObjectInfo {
  std::string interpreter;                 // PT_INTERP ("" when absent)
  bool hasDynamic = false;                 // PT_DYNAMIC present
  std::vector<ElfDependency> dependencies; // DT_NEEDED/DT_FILTER/DT_AUXILIARY, in section order
  std::string soname;                      // DT_SONAME
  bool hasRpath = false, hasRunpath = false;
  std::string rpath;         // DT_RPATH (ignored by ld.so when DT_RUNPATH exists)
  std::string runpath;       // DT_RUNPATH
  bool noDefaultLib = false; // DF_1_NODEFLIB
};

// What ld.so does with a candidate file, judged from its header.
enum class ElfVerdict {
  Usable,       // an x86-64 ELF object ld.so would map
  WrongClass,   // ELFCLASS32: skipped, the search goes on
  WrongMachine, // 64-bit but not x86-64: skipped, the search goes on
};

struct ElfReadResult {
  ElfVerdict verdict = ElfVerdict::Usable;
  ElfObjectInfo info; // filled when Usable
};

// Whether `hostPath` starts like an object ld.so could map: a 64-bit little-endian x86-64
// ET_DYN or ET_EXEC. Reads only the first 64 bytes, so a tree of many data files (a JDK's
// 130 MB `modules`, Python's .py files) costs one small read each. False for unreadable files.
bool looksLikeX86_64Object(const std::string& hostPath);

// Reads `hostPath`. Errors (ld.so would stop with an error too) are one line naming the file:
// unreadable, too short, not ELF, wrong byte order/version/ABI, not ET_DYN/ET_EXEC, corrupt
// program headers or dynamic section.
llvm::Expected<ElfReadResult> readElfObject(llvm::StringRef hostPath);
// The same checks on bytes already in memory (`hostPath` names them in errors; the fuzz
// target tests/fuzz/mkimage_program_elf_fuzz.cc).
llvm::Expected<ElfReadResult> parseElfObject(llvm::StringRef hostPath, llvm::StringRef data);

} // namespace mkimage
