#include "support/json_depth.h"

namespace mkimage {

llvm::Error checkJsonNesting(llvm::StringRef text, llvm::StringRef file, unsigned limit) {
  unsigned depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i; // the escaped character cannot end the string
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit)
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "%s: invalid JSON: arrays and objects nested more than %u "
                                       "levels deep (at byte %zu)",
                                       file.str().c_str(), limit, i);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return llvm::Error::success();
}

} // namespace mkimage
