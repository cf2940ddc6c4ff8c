// Path resolution over any tree (the in-memory TFS tree in the kernel, a fake in tests):
// absolute and relative paths, "." and "..", symlinks (absolute or relative, in the middle or
// at the end), with Linux errors ENOENT, ENOTDIR, ELOOP and ENAMETOOLONG.
#pragma once

#include "lib/path_rules.h"

#include <stddef.h>
#include <stdint.h>

namespace fs {

using NodeId = int64_t; // >= 0: a node; < 0: -errno

// Directory prefixes of recent lookups and the directories they resolved to. Programs walk
// the same few long directories over and over (Python's imports, ld.so's search path), and
// under emulation each component costs hundreds of kernel instructions; a hit costs one
// compare. An entry is valid only while the tree's generation() is the one it was made in
// (symlinks on the way included: changing one changes the generation).
struct PrefixCache {
  static constexpr int kEntries = 8;
  static constexpr size_t kMaxPrefix = 200;
  struct Entry {
    NodeId dir = -1; // -1: empty
    NodeId start;    // the walk's start for a relative prefix, -1 for an absolute one
    uint64_t generation;
    uint32_t len;
    char path[kMaxPrefix];
  };
  Entry entries[kEntries];
  uint32_t next = 0; // round-robin replacement
};

class PathTree {
public:
  virtual NodeId root() const = 0;
  virtual NodeId parent(NodeId dir) const = 0; // root's parent is root
  virtual bool is_directory(NodeId node) const = 0;
  // The link target (NUL-terminated) or nullptr when node is not a symlink.
  virtual const char* symlink_target(NodeId node) const = 0;
  // The child called name[0..len) of dir, or -ENOENT.
  virtual NodeId child(NodeId dir, const char* name, size_t len) const = 0;
  // Changes whenever what a lookup finds could change (an entry added, removed, renamed).
  virtual uint64_t generation() const = 0;
  // Where walk_path keeps prefixes for this tree, or nullptr: no caching.
  virtual PrefixCache* prefix_cache() const { return nullptr; }

protected:
  ~PathTree() = default;
};

inline constexpr int kMaxSymlinkFollows = 40; // as Linux
// The limits are the ones nanos-mkimage checks image paths against (lib/path_rules.h).
inline constexpr size_t kMaxPathLength = klib::kMaxPathLength; // including the NUL
inline constexpr size_t kMaxNameLength = klib::kMaxNameLength;

// Resolves path from cwd. follow_last = false leaves a final symlink unresolved (lstat,
// readlink). Returns the node or -errno.
NodeId walk_path(const PathTree& tree, NodeId cwd, const char* path, bool follow_last);

} // namespace fs
