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
  // program is its guest directory; paths starting with it are looked up in the program's
  // host directory instead ("host-mapped"), unless the program already is at that guest
  // path inside the sysroot, in which case it is an ordinary object of the target tree.
  std::string programGuestPath;
  // LD_LIBRARY_PATH of the IMAGE's environment (never the host's), already split.
  std::vector<std::string> ldLibraryPath;
  // NSS modules of the same libc + minimal /etc files. Auto = on when the program's
  // closure contains glibc (libc.so.6).
  enum class Nss { Auto, On, Off } nss = Nss::Auto;
  // The other libraries glibc dlopen()s by name (libc_dlopens.h: libgcc_s.so.1 for thread
  // exit and cancellation), resolved like dlopen()s from libc.so.6 when the closure contains
  // it. Off only for comparisons with `ld.so --list`, which shows start-up objects.
  bool libcDlopens = true;
  // Sonames (or paths containing '/') resolved like DT_NEEDED of the program, for
  // programs that dlopen() them.
  std::vector<std::string> extraLibraries;
  // ELF objects placed in the image by other means (--dir, --file, --package): plug-ins a
  // program dlopen()s by path (libjvm.so, Python's C extensions) and other executables. Each
  // one's DT_NEEDED are resolved like a dlopen() from the program would: its own DT_RPATH
  // and DT_RUNPATH, $ORIGIN at its guest directory (looked up in its host directory when it
  // does not sit at that path in the target tree). The objects themselves are not entries.
  struct Plugin {
    std::string guestPath, hostPath;
  };
  std::vector<Plugin> plugins;
  // The guest CPU as glibc's loader sees it: it decides which hwcap subdirectories ld.so
  // tries inside every search directory (and which glibc-hwcaps entries of ld.so.cache it
  // takes) and what $PLATFORM expands to. The default is a baseline x86-64 guest (no
  // x86-64-v2 features, as KVM offers here; kernel AT_PLATFORM "x86_64").
  struct Cpu {
    std::vector<std::string> glibcHwcaps; // e.g. {"x86-64-v3", "x86-64-v2"}, best first
    std::vector<std::string> legacyHwcaps = {"x86_64"}; // hwcap names, in glibc's bit order
    std::string platform = "x86_64";                    // "" = unknown (no AT_PLATFORM)
  } cpu;
};

struct ResolvedEntry {
  enum class Kind { File, Symlink, Generated } kind = Kind::File;
  std::string guestPath;  // absolute path inside the image
  std::string hostPath;   // File: the host file to copy (Symlink: the host link itself)
  std::string linkTarget; // Symlink: target exactly as stored in the target tree
  std::string contents;   // Generated: the file's contents (/etc/passwd, group, ...)
  std::string neededBy;   // guest path of the object that first needed it ("" = program/options)
  std::string why;        // "" for DT_NEEDED; else when the loader dlopen()s it (libc_dlopens.h)
};

// One object the loader maps, as ld.so names it (what `ld.so --list` prints).
struct LoadedObject {
  std::string name;       // the DT_NEEDED / requested name ("" for the interpreter)
  std::string openedPath; // the path ld.so opens, exactly as it builds it (its l_name)
  std::string guestPath;  // the same file with symlinks resolved (the File entry)
  std::string hostPath;   // the host file
  std::string neededBy;   // as in ResolvedEntry
  std::string why;        // as in ResolvedEntry
};

// What a plug-in needed (ResolveOptions::plugins), for `deps` and the BOM.
struct PluginClosure {
  std::string guestPath, hostPath;
  std::vector<std::string> needed;  // its DT_NEEDED names, in section order
  std::vector<std::string> missing; // one line each: a dependency no search found
};

struct Closure {
  // Deterministic order: the interpreter, then objects in loader (breadth-first) order,
  // each preceded by the symlinks crossed on the way to it, in crossing order (e.g.
  // /lib64/ld-linux-x86-64.so.2 -> ..., /lib -> usr/lib); generated files last.
  // No guest path appears twice. Objects found through a host-mapped $ORIGIN (see
  // programGuestPath) are File entries at the lexically normalised guest path.
  std::vector<ResolvedEntry> entries;
  // For depfiles, sorted and unique: every existing host file read (program, interpreter,
  // libraries, candidates skipped for their class, ld.so.cache, symlinks crossed) and the
  // deepest existing directory of every failed probe (a library appearing there would
  // change the answer). Paths that do not exist are not listed.
  std::vector<std::string> consulted;
  // The objects in load order: the interpreter first, then breadth-first DT_NEEDED order,
  // then extra libraries and NSS modules. The program itself is not listed.
  std::vector<LoadedObject> objects;
  // The plug-ins, in the order given. A dependency of a plug-in that cannot be found is not
  // an error (ld.so fails only if the program ever loads that plug-in): it is listed here.
  std::vector<PluginClosure> plugins;
  // One line each: a library glibc dlopen()s by name that the target tree lacks (not an
  // error: the program fails only if it reaches the code that opens it).
  std::vector<std::string> warnings;
};

// Resolves the closure of the program at `programHostPath` (a host path, inside the
// sysroot or not). The program itself is not an
// entry. Errors are one line and name the file, or for a missing library: the library,
// the chain of objects that needed it and the directories searched.
llvm::Expected<Closure> resolveClosure(llvm::StringRef programHostPath,
                                       const ResolveOptions& options);

} // namespace mkimage
