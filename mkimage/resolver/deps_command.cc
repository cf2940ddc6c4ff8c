#include "tool/commands.h"

namespace mkimage {
llvm::Error runDepsCommand(Args, llvm::raw_ostream&) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "deps: not implemented yet");
}
}  // namespace mkimage
