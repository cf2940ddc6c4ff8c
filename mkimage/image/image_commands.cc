// `nanos-mkimage build` and `nanos-mkimage verify`.
#include "image/build_options.h"
#include "image/image_builder.h"
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
  return verifyImage(positional[0], positional.size() > 1 ? positional[1] : "", out);
}

} // namespace mkimage
