// `nanos-mkimage build`: resolves the inputs, lays out the disk and writes the image
// atomically (plus the optional BOM and depfile). See docs/mkimage.md.
#pragma once

#include "image/build_options.h"
#include "support/output_paths.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace mkimage {

// All or nothing: on failure no output the options name is left (docs/mkimage.md).
llvm::Error buildImage(const BuildOptions& options);

// The files `build` writes and reads, for the output rules of support/output_paths.h (also
// applied to options that failed to parse: whatever they name so far).
std::vector<OutputPath> buildOutputs(const BuildOptions& options);
std::vector<std::string> buildInputs(const BuildOptions& options);

// `nanos-mkimage verify IMAGE [BOM]`: the MBR, the boot image descriptor, the partition
// entries and TFS headers; with a BOM also the image digest and every file it lists (an
// "OK" line on `out`). Without one nothing is printed: the tree is the caller's to check.
llvm::Error verifyImage(const std::string& image, const std::string& bom, llvm::raw_ostream& out);

// Directory holding kernel.img/boot.img next to the running tool
// (<dir of nanos-mkimage>/../share/nanos-unikernel).
std::string defaultDataDir();

} // namespace mkimage
