#include "resolver/error_text.h"

namespace mkimage {
std::string errorText(llvm::Error error) {
  return oneLine(llvm::toString(std::move(error)));
}

std::string oneLine(llvm::StringRef text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += char(c);
    }
  }
  return out;
}

llvm::Error errorLine(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s",
                                 oneLine(message.str()).c_str());
}
} // namespace mkimage
