// Temporary: lets dependents link against mkimage_resolver while the implementation lands.
#include "resolver/resolver.h"

namespace mkimage {
llvm::Expected<Closure> resolveClosure(llvm::StringRef, const ResolveOptions&) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "resolver: not implemented yet");
}
}  // namespace mkimage
