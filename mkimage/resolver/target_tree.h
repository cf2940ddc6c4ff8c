// The target's file tree as the guest kernel will see it: guest paths are resolved component
// by component inside the sysroot, following symlinks the way the kernel does (absolute
// targets restart at the sysroot, ".." never climbs above it). Every symlink crossed is
// reported so the image can mirror it. lstat/readlink results are cached.
#pragma once

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <set>
#include <string>
#include <vector>

namespace mkimage {

struct CrossedLink {
  std::string guestPath; // where the symlink sits in the guest (its parent fully resolved)
  std::string hostPath;
  std::string target; // readlink() text, unchanged
};

struct GuestLookup {
  enum class Status { Found, NotFound, NotDirectory, Loop } status = Status::NotFound;
  std::string realGuestPath; // Found: the resolved path (no symlinks in it)
  std::string hostPath;      // Found: sysroot + realGuestPath
  bool isRegular = false, isDirectory = false;
  std::vector<CrossedLink> links; // in the order they were crossed
};

class TargetTree {
public:
  // `sysroot` "" or "/" = the host root.
  explicit TargetTree(llvm::StringRef sysroot);

  const std::string& sysroot() const { return root_; } // "" for the host root
  std::string hostPathOf(llvm::StringRef realGuestPath) const {
    return root_ + realGuestPath.str();
  }

  // Resolves an absolute guest path (a relative one is taken relative to "/", the guest's
  // working directory). The final component is followed when it is a symlink.
  GuestLookup lookup(llvm::StringRef guestPath);

  // Host files and directories whose state decided a lookup (for depfiles).
  const std::set<std::string>& consulted() const { return consulted_; }
  void noteConsulted(llvm::StringRef hostPath) { consulted_.insert(hostPath.str()); }

private:
  struct Node {
    bool exists = false, isLink = false, isDir = false, isRegular = false;
    std::string linkTarget;
  };
  const Node& node(const std::string& hostPath);

  std::string root_;
  llvm::StringMap<Node> cache_;
  std::set<std::string> consulted_;
};

// Lexical helpers on guest paths.
std::string joinGuest(llvm::StringRef dir, llvm::StringRef name);
std::string normalizeGuest(llvm::StringRef path); // removes ".", "..", "//"; keeps it absolute

} // namespace mkimage
