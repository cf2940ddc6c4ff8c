// `nanos-mkimage build` and `nanos-mkimage verify`.
#include "image/build_options.h"
#include "image/image_builder.h"
#include "image/image_digest.h"
#include "reader/image_check.h"
#include "tool/commands.h"

#include "llvm/ADT/STLExtras.h"

namespace mkimage {

llvm::Error runBuildCommand(Args args, llvm::raw_ostream&) {
  BuildOptions options;
  if (llvm::Error e = parseBuildOptionsInto(args, options)) {
    bool help = llvm::is_contained(args, "--help") || llvm::is_contained(args, "-h");
    if (!help) // all or nothing, also when the options themselves are bad
      removeFailedOutputs(buildOutputs(options), buildInputs(options));
    return e;
  }
  return buildImage(options);
}

llvm::Error runVerifyCommand(Args args, llvm::raw_ostream& out) {
  std::vector<std::string> positional;
  for (llvm::StringRef a : args) {
    if (a == "--help" || a == "-h")
      return usageError("usage: nanos-mkimage verify IMAGE [BOM]");
    if (a.startswith("-"))
      return usageError("unknown option '" + a + "'");
    positional.push_back(a.str());
  }
  if (positional.empty() || positional.size() > 2)
    return usageError("usage: nanos-mkimage verify IMAGE [BOM]");
  // Every file of the tree decodes and reads, extents inside their partitions, no block used
  // twice: what `ls` and the kernel need, with or without a BOM.
  std::string bom = positional.size() > 1 ? positional[1] : "";
  std::string report;
  llvm::raw_string_ostream text(report);
  if (auto e = verifyImage(positional[0], bom, text))
    return e;
  auto image = reader::decodeImage(positional[0]);
  if (!image)
    return image.takeError();
  auto summary = reader::checkContents(*image);
  if (!summary)
    return summary.takeError();
  // The content digest our kernel checks at mount (docs/image-format.md), when present.
  bool digestChecked = false;
  if (auto e = checkImageDigest(reader::imageFd(*image), image->rootOffset, image->root.blocks,
                                positional[0], &digestChecked))
    return e;
  if (bom.empty())
    out << positional[0] << ": OK (structure; " << summary->files << " files, " << summary->bytes
        << " bytes, decoded and read; pass the BOM to check their contents)\n";
  else
    out << text.str();
  return llvm::Error::success();
}

} // namespace mkimage
