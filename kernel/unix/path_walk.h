// Path resolution over any tree (the in-memory TFS tree in the kernel, a fake in tests):
// absolute and relative paths, "." and "..", symlinks (absolute or relative, in the middle or
// at the end), with Linux errors ENOENT, ENOTDIR, ELOOP and ENAMETOOLONG.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix {

using NodeId = int64_t; // >= 0: a node; < 0: -errno

class PathTree {
public:
  virtual NodeId root() const = 0;
  virtual NodeId parent(NodeId dir) const = 0; // root's parent is root
  virtual bool is_directory(NodeId node) const = 0;
  // The link target (NUL-terminated) or nullptr when node is not a symlink.
  virtual const char* symlink_target(NodeId node) const = 0;
  // The child called name[0..len) of dir, or -ENOENT.
  virtual NodeId child(NodeId dir, const char* name, size_t len) const = 0;

protected:
  ~PathTree() = default;
};

inline constexpr int kMaxSymlinkFollows = 40; // as Linux
inline constexpr size_t kMaxPathLength = 4096;

// Resolves path from cwd. follow_last = false leaves a final symlink unresolved (lstat,
// readlink). Returns the node or -errno.
NodeId walk_path(const PathTree& tree, NodeId cwd, const char* path, bool follow_last);

} // namespace unix
