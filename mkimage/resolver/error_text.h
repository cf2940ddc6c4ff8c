// llvm::toString() for one-line messages. Kept out of line: GCC 12 reports a false
// -Wnull-dereference inside LLVM 14's ErrorList::join when it is inlined.
#pragma once

#include "llvm/Support/Error.h"

#include <string>

namespace mkimage {
std::string errorText(llvm::Error error);
// Escapes control characters (as \xNN) so that names taken from files keep an error
// message on one line.
std::string oneLine(llvm::StringRef text);
// An llvm::Error with `message` made one line.
llvm::Error errorLine(const llvm::Twine& message);
} // namespace mkimage
