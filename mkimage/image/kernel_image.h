// Build-time checks of the two files an image boots through, so that `build` fails instead
// of writing an image that stage2 refuses: the kernel must be an ELF64 x86-64 executable
// that stage2 can load (PT_LOAD segments inside the file) and that carries the PVH entry
// note (Xen ELF note type 18, XEN_ELFNOTE_PHYS32_ENTRY) through which QEMU -kernel, Xen and
// nanos-run's direct boot enter it. The boot image checks are in disk_layout.h.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mkimage {

struct KernelImageInfo {
  uint64_t entry = 0;    // e_entry (stage2 jumps there in long mode)
  uint32_t pvhEntry = 0; // the note's 32-bit physical entry point
};

// Errors are one line naming `path` and what is wrong.
llvm::Expected<KernelImageInfo> checkKernelImage(llvm::StringRef bytes, const std::string& path);

} // namespace mkimage
