#include "fs/tree.h"

#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"

namespace fs {
namespace {

Node* g_nodes = nullptr;
size_t g_count = 0, g_capacity = 0;
Tree g_tree;
constexpr int kMaxDepth = 256;

// A directory entry name: not empty, not "." or "..", no '/' or NUL.
bool valid_name(const uint8_t* name, size_t len) {
  if (len == 0 || (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
    return false;
  for (size_t i = 0; i < len; ++i)
    if (name[i] == '/' || name[i] == 0)
      return false;
  return true;
}

int32_t add_node(int32_t parent, NodeType type, const char* name) {
  if (g_count == g_capacity) {
    size_t cap = g_capacity ? g_capacity * 2 : 256;
    auto* grown = static_cast<Node*>(krealloc(g_nodes, cap * sizeof(Node)));
    if (!grown)
      return -ENOMEM;
    g_nodes = grown;
    g_capacity = cap;
  }
  auto id = static_cast<int32_t>(g_count++);
  g_nodes[id] = Node{type, Special::kNone, parent < 0 ? id : parent, -1, -1, name, nullptr, nullptr};
  if (parent >= 0) {
    // Replace an existing entry of the same name (synthetic nodes win over TFS ones).
    int32_t* link = &g_nodes[parent].first_child;
    while (*link >= 0) {
      if (strcmp(g_nodes[*link].name, name) == 0) {
        g_nodes[id].next_sibling = g_nodes[*link].next_sibling;
        *link = id;
        return id;
      }
      link = &g_nodes[*link].next_sibling;
    }
    *link = id;
  }
  return id;
}

// Adds the TFS entries below directory `dir` (tuple `children`).
int add_children(int32_t dir, const tfs::Value* children, int depth) {
  if (depth > kMaxDepth)
    return -EINVAL;
  if (!children || children->kind != tfs::Kind::kTuple)
    return 0;
  for (uint32_t i = 0; i < children->count; ++i) {
    const tfs::Item& it = children->items[i];
    const tfs::Value* v = it.value;
    if (!v || v->kind != tfs::Kind::kTuple)
      continue;
    if (!valid_name(it.name, it.name_len))
      continue; // never valid as a directory entry
    char* name = kstrndup(it.name, it.name_len);
    if (!name)
      return -ENOMEM;
    NodeType type;
    const tfs::Value* target = tfs::get(v, "linktarget");
    const tfs::Value* sub = tfs::get(v, "children");
    if (target && target->kind == tfs::Kind::kBytes)
      type = NodeType::kSymlink;
    else if (sub)
      type = NodeType::kDirectory;
    else if (tfs::get(v, "extents"))
      type = NodeType::kFile;
    else
      continue; // neither file, directory nor link: the kernel does not show it (spec §3.5)
    int32_t id = add_node(dir, type, name);
    if (id < 0)
      return id;
    g_nodes[id].tuple = v;
    if (type == NodeType::kSymlink) {
      g_nodes[id].link_target = kstrndup(target->bytes, target->len);
      if (!g_nodes[id].link_target)
        return -ENOMEM;
    } else if (type == NodeType::kDirectory) {
      int r = add_children(id, sub, depth + 1);
      if (r < 0)
        return r;
    }
  }
  return 0;
}

// The directory `name` under dir, created (synthetic) when absent.
int32_t ensure_dir(int32_t dir, const char* name) {
  for (int32_t c = g_nodes[dir].first_child; c >= 0; c = g_nodes[c].next_sibling)
    if (strcmp(g_nodes[c].name, name) == 0 && g_nodes[c].type == NodeType::kDirectory)
      return c;
  return add_node(dir, NodeType::kDirectory, name);
}

int add_special(int32_t dir, const char* name, Special special) {
  int32_t id = add_node(dir, NodeType::kCharDevice, name);
  if (id < 0)
    return id;
  g_nodes[id].special = special;
  return 0;
}

} // namespace

int build_tree(const tfs::Value* root, const char* program_path) {
  g_count = 0;
  int32_t r = add_node(-1, NodeType::kDirectory, "");
  if (r < 0)
    return r;
  g_nodes[0].tuple = root;
  int err = add_children(0, tfs::get(root, "children"), 0);
  if (err < 0)
    return err;
  int32_t dev = ensure_dir(0, "dev");
  if (dev < 0)
    return dev;
  if ((err = add_special(dev, "null", Special::kNull)) < 0 ||
      (err = add_special(dev, "zero", Special::kZero)) < 0 ||
      (err = add_special(dev, "urandom", Special::kRandom)) < 0 ||
      (err = add_special(dev, "random", Special::kRandom)) < 0)
    return err;
  int32_t proc = ensure_dir(0, "proc");
  int32_t self = proc < 0 ? proc : ensure_dir(proc, "self");
  if (self < 0)
    return self;
  int32_t maps = add_node(self, NodeType::kFile, "maps");
  if (maps < 0)
    return maps;
  g_nodes[maps].special = Special::kProcMaps;
  int32_t exe = add_node(self, NodeType::kSymlink, "exe");
  if (exe < 0)
    return exe;
  g_nodes[exe].link_target = program_path;
  return 0;
}

const Tree& tree() {
  return g_tree;
}
const Node* node(unix::NodeId id) {
  return id >= 0 && static_cast<size_t>(id) < g_count ? &g_nodes[id] : nullptr;
}
size_t node_count() {
  return g_count;
}

unix::NodeId Tree::parent(unix::NodeId dir) const {
  const Node* n = node(dir);
  return n ? n->parent : -ENOENT;
}
bool Tree::is_directory(unix::NodeId id) const {
  const Node* n = node(id);
  return n && n->type == NodeType::kDirectory;
}
const char* Tree::symlink_target(unix::NodeId id) const {
  const Node* n = node(id);
  return n && n->type == NodeType::kSymlink ? n->link_target : nullptr;
}
unix::NodeId Tree::child(unix::NodeId dir, const char* name, size_t len) const {
  const Node* d = node(dir);
  if (!d || d->type != NodeType::kDirectory)
    return -ENOTDIR;
  for (int32_t c = d->first_child; c >= 0; c = g_nodes[c].next_sibling)
    if (strncmp(g_nodes[c].name, name, len) == 0 && g_nodes[c].name[len] == 0)
      return c;
  return -ENOENT;
}

long node_path(unix::NodeId id, char* buf, size_t size) {
  // Collect the names from the node up to the root, then write them in reverse.
  size_t len = 0;
  int32_t chain[kMaxDepth + 8];
  int depth = 0;
  for (int32_t n = static_cast<int32_t>(id); n != 0 && depth < kMaxDepth + 8; n = g_nodes[n].parent)
    chain[depth++] = n;
  if (depth == 0) {
    if (size < 2)
      return -ERANGE;
    buf[0] = '/';
    buf[1] = 0;
    return 1;
  }
  for (int i = depth - 1; i >= 0; --i) {
    size_t n = strlen(g_nodes[chain[i]].name);
    if (len + 1 + n + 1 > size)
      return -ERANGE;
    buf[len++] = '/';
    memcpy(buf + len, g_nodes[chain[i]].name, n);
    len += n;
  }
  buf[len] = 0;
  return static_cast<long>(len);
}

} // namespace fs
