#include "tool/commands.h"

namespace mkimage {
static llvm::Error notYet(const char* what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: not implemented yet", what);
}
llvm::Error runLsCommand(Args, llvm::raw_ostream&) { return notYet("ls"); }
llvm::Error runCatCommand(Args, llvm::raw_ostream&) { return notYet("cat"); }
llvm::Error runManifestCommand(Args, llvm::raw_ostream&) { return notYet("manifest"); }
llvm::Error runInspectCommand(Args, llvm::raw_ostream&) { return notYet("inspect"); }
}  // namespace mkimage
