// The shared-library resolver: computes, without running the program, every file glibc's
// ld.so opens to start it inside the image (PT_INTERP, DT_NEEDED closure, NSS modules and
// the /etc files they read), with the guest path the loader opens and the host file it comes
// from. The algorithm and its differences from ops are described in docs/resolver.md.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mkimage {

struct ResolveOptions {
  // Root of the target tree; "" means the host root "/". Every lookup (including absolute
  // symlinks met on the way) happens inside it; nothing outside it is read.
  std::string sysroot;
  // Where the program sits in the image (default "/<file name>"). $ORIGIN of the program is
  // the directory of this guest path; lookups under it are mapped back to the program's host
  // directory.
  std::string programGuestPath;
  // LD_LIBRARY_PATH from the IMAGE's environment, already split at ':' / ';' (never the
  // host's). Empty elements mean the current directory, as for ld.so.
  std::vector<std::string> ldLibraryPath;
  // Adds glibc's NSS modules (of the same libc) and minimal /etc files. Auto = on when the
  // closure contains glibc (libc.so.6).
  enum class Nss { Auto, On, Off } nss = Nss::Auto;
  // Extra sonames (or paths, if they contain '/') resolved like a DT_NEEDED of the program,
  // for programs that dlopen() them. Their dependencies are resolved too.
  std::vector<std::string> extraLibraries;
};

struct ResolvedEntry {
  enum class Kind { File, Symlink, Generated } kind = Kind::File;
  std::string guestPath;   // absolute path inside the image
  std::string hostPath;    // File: host file to copy. Symlink: the host symlink it mirrors.
  std::string linkTarget;  // Symlink: target exactly as in the target tree (relative or absolute)
  std::string contents;    // Generated: file contents (/etc/passwd, group, hosts, ...)
  std::string neededBy;    // guest path of the object that first needed it ("" = program/options)
};

struct Closure {
  // Deterministic order: for each object in loader (breadth-first) order, the symlinks on
  // its path first (outermost first), then the file; generated /etc files last.
  // Every guest path appears at most once; a directory component that is a symlink in the
  // target tree (e.g. /lib -> usr/lib) appears as a Symlink entry before anything under it.
  std::vector<ResolvedEntry> entries;
  // Every host file or directory read or stat'ed (for --depfile), sorted and unique.
  std::vector<std::string> consulted;
};

// Resolves the closure of the program at `programHostPath` (a host path, NOT inside the
// sysroot). Errors are one line: a bad ELF file names the file and the problem; a library
// that cannot be found names it, the chain of objects that needed it and the directories
// searched.
llvm::Expected<Closure> resolveClosure(llvm::StringRef programHostPath,
                                       const ResolveOptions& options);

}  // namespace mkimage
