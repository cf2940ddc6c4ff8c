// libFuzzer target for `build`'s JSON config path: the nesting bound (support/json_depth.cc),
// llvm::json::parse, the config reader and the one validation of every value
// (image/build_checks.cc, which applies the kernel's path rules). Any input must give options
// or a one-line error, never a crash, a stack overflow or a hang. Works in memory: no files.
#include "image/build_options.h"

#include <string>

namespace mkimage {
char UsageError::ID = 0; // defined by the tool's main.cc, which is not linked here
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mkimage::BuildOptions options;
  llvm::StringRef text(reinterpret_cast<const char*>(data), size);
  llvm::Error e = mkimage::applyConfigText(text, "fuzz.json", options);
  if (!e)
    e = mkimage::checkBuildOptions(options);
  if (e) {
    std::string message = llvm::toString(std::move(e));
    if (message.empty() || message.find('\n') != std::string::npos)
      __builtin_trap(); // errors are one line
  }
  return 0;
}
