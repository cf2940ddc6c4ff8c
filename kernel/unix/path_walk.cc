#include "unix/path_walk.h"

#include "lib/errno.h"

namespace unix {
namespace {

class Walker {
public:
  explicit Walker(const PathTree& tree) : tree_(tree) {}

  NodeId walk(NodeId start, const char* path, bool follow_last, int depth) {
    if (path[0] == '\0')
      return -ENOENT;
    NodeId node = path[0] == '/' ? tree_.root() : start;
    const char* p = path;
    while (true) {
      while (*p == '/')
        ++p;
      if (*p == '\0')
        return node;
      const char* name = p;
      while (*p != '\0' && *p != '/')
        ++p;
      const size_t len = static_cast<size_t>(p - name);
      if (len > 255)
        return -ENAMETOOLONG;
      const char* rest = p;
      while (*rest == '/')
        ++rest;
      const bool last = *rest == '\0';
      const bool trailing_slash = *p == '/';

      if (!tree_.is_directory(node))
        return -ENOTDIR;
      NodeId next;
      if (len == 1 && name[0] == '.') {
        next = node;
      } else if (len == 2 && name[0] == '.' && name[1] == '.') {
        next = tree_.parent(node);
      } else {
        next = tree_.child(node, name, len);
        if (next < 0)
          return next;
      }
      const char* target = tree_.symlink_target(next);
      if (target != nullptr && (!last || follow_last || trailing_slash)) {
        if (depth + 1 > kMaxSymlinkFollows)
          return -ELOOP;
        // Relative targets are resolved from the directory holding the link.
        next = walk(node, target, true, depth + 1);
        if (next < 0)
          return next;
      }
      if (trailing_slash && last && !tree_.is_directory(next))
        return -ENOTDIR;
      node = next;
    }
  }

private:
  const PathTree& tree_;
};

} // namespace

NodeId walk_path(const PathTree& tree, NodeId cwd, const char* path, bool follow_last) {
  size_t n = 0;
  while (path[n] != '\0') {
    if (++n >= kMaxPathLength)
      return -ENAMETOOLONG;
  }
  return Walker(tree).walk(cwd, path, follow_last, 0);
}

} // namespace unix
