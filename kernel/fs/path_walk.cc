#include "fs/path_walk.h"

#include "lib/errno.h"
#include "lib/string.h"

namespace fs {
namespace {

// The first '/' in [p, end), or end. Eight bytes at a time while a whole word is inside
// the string (x ^ '/'-bytes has a zero byte where x has a '/'): paths are scanned on every
// lookup, and under emulation each instruction counts.
const char* next_slash(const char* p, const char* end) {
  for (; end - p >= 8; p += 8) {
    uint64_t w;
    __builtin_memcpy(&w, p, 8);
    uint64_t hit = klib::zero_byte_mask(w ^ 0x2F2F2F2F2F2F2F2Full);
    if (hit)
      return p + __builtin_ctzll(hit) / 8;
  }
  while (p < end && *p != '/')
    ++p;
  return p;
}

class Walker {
public:
  explicit Walker(const PathTree& tree, const char* origin) : tree_(tree), origin_(origin) {}

  // After a top-level walk reached its last component: the directory holding it and the
  // length of the path before it (up to its slashes); -1 otherwise.
  NodeId last_dir() const { return last_dir_; }
  size_t last_dir_len() const { return last_dir_len_; }

  // path[0, len) holds no NUL; path[len] is one.
  NodeId walk(NodeId start, const char* path, size_t len_total, bool follow_last, int depth) {
    if (path[0] == '\0')
      return -ENOENT;
    NodeId node = path[0] == '/' ? tree_.root() : start;
    const char* p = path;
    const char* end = path + len_total;
    while (true) {
      while (*p == '/')
        ++p;
      if (*p == '\0')
        return node;
      const char* name = p;
      p = next_slash(p, end);
      const size_t len = static_cast<size_t>(p - name);
      if (len > kMaxNameLength)
        return -ENAMETOOLONG;
      const char* rest = p;
      while (*rest == '/')
        ++rest;
      const bool last = *rest == '\0';
      const bool trailing_slash = *p == '/';

      if (!tree_.is_directory(node))
        return -ENOTDIR;
      if (last && depth == 0) {
        const char* q = name;
        while (q > origin_ && q[-1] == '/')
          --q;
        last_dir_ = q > origin_ ? node : -1; // "/x" or "x": no prefix worth keeping
        last_dir_len_ = static_cast<size_t>(q - origin_);
      }
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
        next = walk(node, target, strlen(target), true, depth + 1);
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
  const char* origin_; // the path as the caller gave it
  NodeId last_dir_ = -1;
  size_t last_dir_len_ = 0;
};

// Whether e holds path[0, e.len) for walks from `start` in this generation.
bool holds(const PrefixCache::Entry& e, uint64_t generation, NodeId start, const char* path) {
  return e.dir >= 0 && e.generation == generation && e.start == start &&
         memcmp(e.path, path, e.len) == 0;
}

// The longest cached prefix of path[0, n) followed by '/' and more, or nullptr.
const PrefixCache::Entry* find_prefix(const PrefixCache& c, uint64_t generation, NodeId start,
                                      const char* path, size_t n) {
  const PrefixCache::Entry* best = nullptr;
  for (const PrefixCache::Entry& e : c.entries)
    if (e.len < n && path[e.len] == '/' && (!best || e.len > best->len) &&
        holds(e, generation, start, path))
      best = &e;
  return best;
}

void remember_prefix(PrefixCache& c, uint64_t generation, NodeId start, const char* path,
                     size_t len, NodeId dir) {
  if (len > PrefixCache::kMaxPrefix)
    return;
  for (const PrefixCache::Entry& e : c.entries)
    if (e.len == len && holds(e, generation, start, path))
      return;
  PrefixCache::Entry& e = c.entries[c.next];
  c.next = (c.next + 1) % PrefixCache::kEntries;
  e.dir = dir;
  e.start = start;
  e.generation = generation;
  e.len = static_cast<uint32_t>(len);
  memcpy(e.path, path, len);
}

} // namespace

NodeId walk_path(const PathTree& tree, NodeId cwd, const char* path, bool follow_last) {
  size_t n = strnlen(path, kMaxPathLength);
  if (n >= kMaxPathLength)
    return -ENAMETOOLONG;
  PrefixCache* cache = tree.prefix_cache();
  if (!cache)
    return Walker(tree, path).walk(cwd, path, n, follow_last, 0);

  const uint64_t generation = tree.generation();
  const NodeId key = path[0] == '/' ? -1 : cwd;
  NodeId start = cwd;
  size_t skip = 0, hit_len = 0;
  if (const PrefixCache::Entry* e = find_prefix(*cache, generation, key, path, n)) {
    hit_len = e->len;
    size_t rest = e->len;
    while (path[rest] == '/')
      ++rest;
    // "prefix/" alone is left to the walk: its trailing slash has rules of its own.
    if (path[rest] != '\0') {
      start = e->dir;
      skip = rest;
    }
  }
  Walker w(tree, path);
  NodeId r = w.walk(start, path + skip, n - skip, follow_last, 0);
  // The walk's last directory, as a prefix of the whole path. Not when the walk changed the
  // tree: /proc/self/fd refreshes itself when looked into, so a prefix through it (whose
  // links follow the descriptor table) is never kept.
  NodeId dir = w.last_dir();
  if (dir >= 0 && w.last_dir_len() != hit_len && tree.generation() == generation)
    remember_prefix(*cache, generation, key, path, w.last_dir_len(), dir);
  return r;
}

} // namespace fs
