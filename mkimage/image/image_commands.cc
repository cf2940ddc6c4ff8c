#include "tool/commands.h"

namespace mkimage {
static llvm::Error notYet(const char* what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: not implemented yet", what);
}
llvm::Error runBuildCommand(Args, llvm::raw_ostream&) { return notYet("build"); }
llvm::Error runVerifyCommand(Args, llvm::raw_ostream&) { return notYet("verify"); }
}  // namespace mkimage
