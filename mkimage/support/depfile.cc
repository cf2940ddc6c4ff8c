#include "support/depfile.h"

#include "support/atomic_file.h"

namespace mkimage {

std::string escapeDepfilePath(llvm::StringRef path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    switch (c) {
    case ' ':
    case '#':
    case '\\':
      out += '\\';
      out += c;
      break;
    case '$':
      out += "$$";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string Depfile::render(llvm::StringRef target) const {
  std::string out = escapeDepfilePath(target) + ":";
  for (const std::string& dep : deps_) {
    out += " \\\n  ";
    out += escapeDepfilePath(dep);
  }
  out += "\n";
  return out;
}

llvm::Error Depfile::write(llvm::StringRef path, llvm::StringRef target) const {
  return writeFileAtomically(path, render(target));
}

}  // namespace mkimage
