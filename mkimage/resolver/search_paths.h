// Pieces of ld.so's search that don't need the file tree: dynamic string tokens ($ORIGIN,
// $LIB, $PLATFORM), the hwcap subdirectories tried inside each search directory, and the
// target's compiled-in default directories.
#pragma once

#include "resolver/resolver.h"

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace mkimage {

struct DstContext {
  std::string originGuest; // the object's directory in the guest
  std::string originHost;  // "" unless the object's $ORIGIN maps to a host directory
  std::string lib;         // $LIB
  std::string platform;    // $PLATFORM ("" = unknown)
};

// One expanded path element: the string ld.so builds and, when it came from a host-mapped
// $ORIGIN, the host directory it stands for.
struct ExpandedPath {
  std::string guest;
  std::string host; // "" = look the guest path up in the target tree
};

// Substitutes the tokens in one element; nullopt when ld.so drops the element (a token
// whose value is unknown).
std::optional<ExpandedPath> expandTokens(llvm::StringRef element, const DstContext& ctx);

// Splits a DT_RPATH/DT_RUNPATH/LD_LIBRARY_PATH value into directory strings the way
// fillin_rpath() prepares them: tokens expanded, trailing slashes trimmed, "/" appended,
// empty elements become "./".
std::vector<ExpandedPath> splitSearchPath(llvm::StringRef value, llvm::StringRef separators,
                                          const DstContext& ctx);

// Subdirectories tried inside each search directory, in order, ending with "" (the
// directory itself): glibc-hwcaps/<name>/ first, then glibc 2.36's legacy power set of
// hwcap/platform/"tls" names.
std::vector<std::string> hwcapSubdirectories(const ResolveOptions::Cpu& cpu);

// The default directories and $LIB of the glibc build the interpreter belongs to, found
// in the interpreter's bytes (its SYSTEM_DIRS string); Debian's multiarch values otherwise.
struct TargetDefaults {
  std::vector<std::string> systemDirs; // each ends with '/'
  std::string lib;
};
TargetDefaults detectTargetDefaults(llvm::StringRef interpreterBytes);

} // namespace mkimage
