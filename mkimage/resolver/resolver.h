// The shared-library resolver: emulates glibc's ld.so search on the files themselves
// (no program is executed) and returns every file the loader will open to start a
// program inside the image, at the guest paths it will open them. See docs/resolver.md.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mkimage {

struct ResolveOptions {
  // Root of the target tree; "" means the host root "/". Every lookup (including
  // absolute symlink targets and the target's /etc/ld.so.cache) happens inside it.
  std::string sysroot;
  // Where the program sits in the image; "" means "/<file name>". $ORIGIN of the
  // program is its guest directory, mapped back to the program's host directory.
  std::string programGuestPath;
  // LD_LIBRARY_PATH of the IMAGE's environment (never the host's), already split.
  std::vector<std::string> ldLibraryPath;
  // NSS modules of the same libc + minimal /etc files. Auto = on when the program's
  // closure contains glibc (libc.so.6).
  enum class Nss { Auto, On, Off } nss = Nss::Auto;
  // Sonames (or paths containing '/') resolved like DT_NEEDED of the program, for
  // programs that dlopen() them.
  std::vector<std::string> extraLibraries;
};

struct ResolvedEntry {
  enum class Kind { File, Symlink, Generated } kind = Kind::File;
  std::string guestPath;   // absolute path inside the image
  std::string hostPath;    // File: the host file to copy (Symlink: the host link itself)
  std::string linkTarget;  // Symlink: target exactly as stored in the target tree
  std::string contents;    // Generated: the file's contents (/etc/passwd, group, ...)
  std::string neededBy;    // guest path of the object that first needed it ("" = program/options)
};

struct Closure {
  // Deterministic order: the interpreter, then objects in loader (breadth-first) order,
  // each preceded by the symlinks that lead to it; directory symlinks (e.g. /lib ->
  // usr/lib) appear before the first entry below them; generated files last.
  // No guest path appears twice.
  std::vector<ResolvedEntry> entries;
  // Every host file or directory read or stat'ed, sorted and unique (for depfiles).
  std::vector<std::string> consulted;
};

// Resolves the closure of the program at `programHostPath` (a host path; with a
// sysroot it is usually but not necessarily inside it). The program itself is not an
// entry. Errors are one line and name the file, or for a missing library: the library,
// the chain of objects that needed it and the directories searched.
llvm::Expected<Closure> resolveClosure(llvm::StringRef programHostPath,
                                       const ResolveOptions& options);

}  // namespace mkimage
