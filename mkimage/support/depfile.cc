#include "support/depfile.h"

#include "llvm/Support/FileSystem.h"

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
    // A dangling symbolic link (copied into the image as a link) cannot be stat()ed: Ninja
    // would rebuild forever and Make would stop with "no rule to make target". Its
    // directory is listed too, so replacing or removing the link still triggers a rebuild.
    if (!llvm::sys::fs::exists(dep))
      continue;
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
