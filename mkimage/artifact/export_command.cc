// `nanos-mkimage export` (the driver's entry point for the artifact writers).
#include "artifact/export_options.h"
#include "tool/commands.h"

namespace mkimage {

llvm::Error runExportCommand(Args args, llvm::raw_ostream&) {
  auto options = artifact::parseExportOptions(args);
  if (!options)
    return options.takeError();
  return artifact::exportImage(*options);
}

} // namespace mkimage
