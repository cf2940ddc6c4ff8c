// Installed Debian packages as image content (`--package NAME`, docs/mkimage.md "Debian
// packages"): the dpkg database of the target (`/` or the sysroot) says which files a package
// put there. Only the database is read (var/lib/dpkg/status and info/*.list); no dpkg tool runs.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mkimage {

// One stanza of var/lib/dpkg/status, the fields used here.
struct DpkgPackage {
  std::string name, architecture, status, source; // source: without its "(version)"
  std::vector<std::string> depends; // Depends and Pre-Depends names, every alternative
};

// Parses the status file's stanzas (RFC 822 style, blank-line separated; continuation lines
// of long fields are skipped). A stanza without Source: is its own source.
std::vector<DpkgPackage> parseDpkgStatus(llvm::StringRef text);

// Whether a path a package lists stays out of the image: documentation, manual pages, info
// pages and lintian overrides, which no program reads at run time.
bool isPackageDocumentation(llvm::StringRef guestPath);

struct PackageEntry {
  enum class Kind { Directory, File, Symlink } kind = Kind::File;
  std::string guestPath;  // with every directory symlink of the target resolved
  std::string hostPath;   // the file (File) or the link itself (Symlink)
  std::string linkTarget; // Symlink: readlink() text, unchanged
  std::string source;     // "package NAME", or why it came along (a link's target)
};

struct PackageSet {
  std::vector<std::string> packages; // NAME:ARCH of every package mapped, in mapping order
  std::vector<PackageEntry> entries;
  std::vector<std::string> consulted; // the status file and the .list files read
};

// The files of the installed packages `names` (each NAME or NAME:ARCH) in the target tree
// `sysroot` ("" = /). With each package come the installed packages it depends on that are
// built from the same source package (python3.11 brings python3.11-minimal and
// libpython3.11-stdlib; a runtime is often split that way); libraries of other sources
// are the resolver's job. A package's symlink to a regular file outside the package brings
// that file (a JDK's lib/security/cacerts). Errors are one line naming the package and the
// database read.
llvm::Expected<PackageSet> readDebianPackages(const std::vector<std::string>& names,
                                              llvm::StringRef sysroot);

} // namespace mkimage
