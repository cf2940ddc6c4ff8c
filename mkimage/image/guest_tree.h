// The guest file tree: every path the image will contain, where its bytes come from,
// and which option or library put it there (for clash errors). Paths are kept in a
// sorted map, so iteration order (and therefore the image) never depends on the order
// of options or of host directory listings.
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>

namespace mkimage {

struct GuestNode {
  enum class Kind { Directory, File, Symlink, Generated } kind = Kind::Directory;
  std::string hostPath;     // File: source; Symlink: the host link (informational)
  std::string linkTarget;   // Symlink
  std::string contents;     // Generated
  std::string source;       // who added it: "program", "library needed by /x", "--file a:/b"
  bool implicit = false;    // a directory created only as a parent of something else
  bool overridable = false; // generated /etc files a user mapping may replace
  // Filled in while the image is written.
  uint64_t size = 0;
  uint64_t block = 0; // partition-relative first block of the data (0 = no data)
  std::string digest; // XXH3-128, hex
  std::string chunkDigests; // `chunk_digests` of its file tuple (image_digest.h), once written
};

// Validates a guest path: absolute, no "..", ".", NUL or empty components. Returns the
// normalised path (a trailing '/' dropped).
llvm::Expected<std::string> validateGuestPath(llvm::StringRef path, llvm::StringRef origin);

// Whether two nodes give the guest the same thing: the same kind and the same bytes (one host
// file, or equal contents), the same link target, or two directories.
llvm::Expected<bool> sameContent(const GuestNode& a, const GuestNode& b);

class GuestTree {
public:
  GuestTree();
  // Adds a node at `path` (already validated), creating parent directories. Errors on a
  // clash, naming both sources; a directory may be added over a directory, a node with the
  // same content as the one there (sameContent) is the same entry (the first source is
  // kept), and a non-overridable node may replace an overridable one.
  llvm::Error add(const std::string& path, GuestNode node);
  // Walks a host directory recursively into `guest` (sorted, symlinks kept, empty dirs kept).
  llvm::Error addHostDirectory(const std::string& host, const std::string& guest,
                               const std::string& origin, std::vector<std::string>& consulted);
  std::map<std::string, GuestNode>& nodes() { return nodes_; }
  const std::map<std::string, GuestNode>& nodes() const { return nodes_; }

private:
  std::map<std::string, GuestNode> nodes_; // "/" is the root directory
};

} // namespace mkimage
