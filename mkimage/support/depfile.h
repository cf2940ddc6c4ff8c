// Make/Ninja depfiles: "target: dep1 dep2 ..." with the escaping both tools read.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <set>
#include <string>

namespace mkimage {

class Depfile {
public:
  // Records a host file that the output depends on (deduplicated, sorted on output).
  void add(llvm::StringRef hostPath) { deps_.insert(hostPath.str()); }
  void merge(const Depfile& other) { deps_.insert(other.deps_.begin(), other.deps_.end()); }
  const std::set<std::string>& deps() const { return deps_; }

  std::string render(llvm::StringRef target) const;
  // Writes atomically; errors name `path`.
  llvm::Error write(llvm::StringRef path, llvm::StringRef target) const;

private:
  std::set<std::string> deps_;
};

// Escapes one path for a depfile: spaces, '#', '$' and backslashes before them.
std::string escapeDepfilePath(llvm::StringRef path);

}  // namespace mkimage
