// `nanos-mkimage build` and `nanos-mkimage verify`.
#include "artifact/export_options.h"
#include "image/build_options.h"
#include "image/image_builder.h"
#include "image/image_digest.h"
#include "reader/image_check.h"
#include "support/atomic_file.h"
#include "support/depfile.h"
#include "tool/commands.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstdlib>
#include <unistd.h>

namespace mkimage {

// --- Artifact formats (issue 20): `build ... --format FMT` ----------------------------------
// The artifact options are taken out of the command line before the build parser sees it; the
// image is built to a temporary raw file beside the output and exported from there.

static llvm::Error buildArtifact(BuildOptions options, artifact::ExportOptions artifactOptions) {
  if (!options.bom.empty())
    return usageError("--bom describes a raw image: build one, then run nanos-mkimage export");
  if (options.compress)
    return usageError("--compress goes with raw images, not with --format");
  std::string finalOutput = options.output;
  llvm::StringRef dir = llvm::sys::path::parent_path(finalOutput);
  std::string temp = (dir.empty() ? std::string(".") : dir.str()) + "/." +
                     llvm::sys::path::filename(finalOutput).str() + ".raw-XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0)
    return llvm::createStringError(std::error_code(errno, std::generic_category()),
                                   "%s: cannot create a temporary image", finalOutput.c_str());
  ::close(fd);
  options.output = temp;
  std::string depfile = options.depfile;
  llvm::Error e = buildImage(options);
  if (!e) {
    artifactOptions.image = temp;
    artifactOptions.output = finalOutput;
    artifactOptions.threads = options.threads;
    artifact::completeKubevirtDefaults(artifactOptions);
    e = artifact::exportImage(artifactOptions);
  }
  if (!e && !depfile.empty()) {
    // The depfile names the temporary image as its target: name the artifact instead.
    auto text = llvm::MemoryBuffer::getFile(depfile);
    std::string tempTarget = escapeDepfilePath(temp) + ":";
    if (!text || !(*text)->getBuffer().startswith(tempTarget))
      e = llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: cannot rewrite the depfile",
                                  depfile.c_str());
    else
      e = writeFileAtomically(depfile,
                              escapeDepfilePath(finalOutput) + ":" +
                                  (*text)->getBuffer().drop_front(tempTarget.size()).str());
  }
  ::unlink(temp.c_str());
  if (e)
    removeFailedOutputs({{finalOutput, "-o"}, {depfile, "--depfile"}}, buildInputs(options));
  return e;
}

llvm::Error runBuildCommand(Args allArgs, llvm::raw_ostream&) {
  std::vector<llvm::StringRef> args;
  artifact::ExportOptions artifactOptions;
  if (llvm::Error e = artifact::takeArtifactOptions(allArgs, args, artifactOptions))
    return e;
  bool artifactWanted =
      (artifactOptions.format && *artifactOptions.format != artifact::Format::Raw) ||
      !artifactOptions.kubevirt.manifestPath.empty();
  // --- end of the artifact block ---------------------------------------------------------
  BuildOptions options;
  if (llvm::Error e = parseBuildOptionsInto(args, options)) {
    bool help = llvm::is_contained(args, "--help") || llvm::is_contained(args, "-h");
    if (!help) // all or nothing, also when the options themselves are bad
      removeFailedOutputs(buildOutputs(options), buildInputs(options));
    return e;
  }
  if (artifactWanted)
    return buildArtifact(std::move(options), std::move(artifactOptions));
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
