#include "resolver/error_text.h"

namespace mkimage {
std::string errorText(llvm::Error error) {
  std::string text = llvm::toString(std::move(error));
  for (char& c : text)
    if (c == '\n')
      c = ' ';
  return text;
}
} // namespace mkimage
