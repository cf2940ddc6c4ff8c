#include "fs/tree.h"

#include "fs/chunk_check.h"
#include "fs/metadata_log.h"
#include "fs/name_index.h"
#include "fs/volume.h"
#include "lib/errno.h"
#include "lib/format.h"
#ifdef KERNEL_HOST_BUILD
#include <new> // host unit tests: the C++ library's nothrow new
#else
#include "lib/new.h"
#endif
#include "lib/string.h"
#include "mm/heap.h"

namespace fs {
Node* g_nodes = nullptr;
size_t g_node_count = 0;

namespace {

size_t g_capacity = 0;
Tree g_tree;
constexpr int kMaxDepth = 256;
int32_t g_fd_dir = -1;
int32_t g_fd_pool = -1; // spare /proc/self/fd entries, linked through next_sibling
FdDirRefresh g_fd_refresh = nullptr;
// Hard links: the Inode already made for a file tuple, by dictionary number (build only).
Inode** g_inode_by_index = nullptr;
uint32_t g_inode_slots = 0;

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
  if (g_node_count == g_capacity) {
    size_t cap = g_capacity ? g_capacity * 2 : 256;
    auto* grown = static_cast<Node*>(krealloc(g_nodes, cap * sizeof(Node)));
    if (!grown)
      return -ENOMEM;
    g_nodes = grown;
    g_capacity = cap;
  }
  auto id = static_cast<int32_t>(g_node_count++);
  g_nodes[id] = Node{type, Special::kNone, false, false, parent < 0 ? id : parent, -1, -1, -1,
                     name, nullptr, 0, 0, nullptr};
  if (parent >= 0) {
    // An existing entry of the same name is replaced (synthetic nodes win over TFS ones).
    int32_t old = find_child(parent, name);
    if (old >= 0)
      detach(old);
    attach(parent, id);
  }
  return id;
}

// The file's Inode: its extents are read once (and reserved in the free-space map); a file
// tuple named twice (a hard link) gets the same Inode.
Inode* make_inode(const tfs::Value* file) {
  if (file->index && file->index < g_inode_slots && g_inode_by_index[file->index]) {
    Inode* shared = g_inode_by_index[file->index];
    ++shared->links;
    return shared;
  }
  auto* ino = new (std::nothrow) Inode();
  if (!ino)
    return nullptr;
  ino->links = 1;
  ino->tuple_index = file->index;
  uint64_t n = 0;
  if (tfs::to_u64(tfs::get(file, "filelength"), &n))
    ino->length = n;
  if (tfs::to_u64(tfs::get(file, "mtime"), &n))
    ino->mtime = n;
  if (tfs::to_u64(tfs::get(file, "atime"), &n))
    ino->atime = n;
  const tfs::Value* extents = tfs::get(file, "extents");
  ino->extents_index = extents && extents->kind == tfs::Kind::kTuple ? extents->index : 0;
  uint32_t count = extents && extents->kind == tfs::Kind::kTuple ? extents->count : 0;
  if (count) {
    ino->extents = static_cast<FileExtent*>(kmalloc(count * sizeof(FileExtent)));
    if (!ino->extents) {
      delete ino;
      return nullptr;
    }
    ino->capacity = count;
  }
  for (uint32_t i = 0; i < count; ++i) {
    tfs::Extent e;
    if (!tfs::extent_at(extents, i, &e) || e.length == 0)
      continue;
    if (e.allocated < e.length)
      e.allocated = e.length;
    free_space().reserve(e.disk_block, e.allocated);
    // Insertion sort by file block (images list extents in any order).
    uint32_t at = ino->count;
    while (at > 0 && ino->extents[at - 1].file_block > e.file_block) {
      ino->extents[at] = ino->extents[at - 1];
      --at;
    }
    ino->extents[at] = FileExtent{e.file_block, e.disk_block, e.length, e.allocated,
                                  extents->items[i].value ? extents->items[i].value->index : 0,
                                  e.uninited, false};
    ++ino->count;
  }
  // Overlapping extents (a damaged image) would make writes clobber each other's data; keep
  // the first of any pair.
  uint32_t kept = 0;
  for (uint32_t i = 0; i < ino->count; ++i) {
    if (kept && ino->extents[kept - 1].file_block + ino->extents[kept - 1].length >
                    ino->extents[i].file_block)
      continue;
    ino->extents[kept++] = ino->extents[i];
  }
  ino->count = kept;
  bool failed = false;
  ino->chunks = chunk_check_for(file, ino->length, &failed);
  if (failed) {
    kfree(ino->extents);
    delete ino;
    return nullptr;
  }
  if (file->index && file->index < g_inode_slots)
    g_inode_by_index[file->index] = ino;
  return ino;
}

// Adds the TFS entries below directory `dir` (tuple `children`).
int add_children(int32_t dir, const tfs::Value* children, int depth) {
  if (depth > kMaxDepth)
    return -EINVAL;
  if (!children || children->kind != tfs::Kind::kTuple)
    return 0;
  g_nodes[dir].children_index = children->index;
  for (uint32_t i = 0; i < children->count; ++i) {
    const tfs::Item& it = children->items[i];
    const tfs::Value* v = it.value;
    if (!v || v->kind != tfs::Kind::kTuple)
      continue;
    if (!valid_name(it.name, it.name_len))
      continue; // never valid as a directory entry
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
    char* name = kstrndup(it.name, it.name_len);
    if (!name)
      return -ENOMEM;
    int32_t id = add_node(dir, type, name);
    if (id < 0) {
      kfree(name);
      return id;
    }
    g_nodes[id].owns_name = true;
    g_nodes[id].tuple_index = v->index;
    if (type == NodeType::kSymlink) {
      g_nodes[id].link_target = kstrndup(target->bytes, target->len);
      if (!g_nodes[id].link_target)
        return -ENOMEM;
    } else if (type == NodeType::kDirectory) {
      int r = add_children(id, sub, depth + 1);
      if (r < 0)
        return r;
    } else {
      Inode* ino = make_inode(v);
      if (!ino)
        return -ENOMEM;
      if (ino->links == 1)
        ino->number = static_cast<uint32_t>(id);
      g_nodes[id].inode = ino;
    }
  }
  return 0;
}

// The directory `name` under dir, created (synthetic) when absent.
int32_t ensure_dir(int32_t dir, const char* name) {
  int32_t c = find_child(dir, name);
  if (c >= 0 && g_nodes[c].type == NodeType::kDirectory)
    return c;
  return add_node(dir, NodeType::kDirectory, name);
}

int add_special(int32_t dir, const char* name, NodeType type, Special special,
                const char* text = nullptr) {
  int32_t id = add_node(dir, type, name);
  if (id < 0)
    return id;
  g_nodes[id].special = special;
  g_nodes[id].link_target = text;
  return 0;
}

int add_synthetic(const char* program_path) {
  int err;
  int32_t dev = ensure_dir(0, "dev");
  if (dev < 0)
    return dev;
  if ((err = add_special(dev, "null", NodeType::kCharDevice, Special::kNull)) < 0 ||
      (err = add_special(dev, "zero", NodeType::kCharDevice, Special::kZero)) < 0 ||
      (err = add_special(dev, "urandom", NodeType::kCharDevice, Special::kRandom)) < 0 ||
      (err = add_special(dev, "random", NodeType::kCharDevice, Special::kRandom)) < 0 ||
      (err = add_special(dev, "tty", NodeType::kCharDevice, Special::kTty)) < 0)
    return err;
  int32_t proc = ensure_dir(0, "proc");
  int32_t self = proc < 0 ? proc : ensure_dir(proc, "self");
  if (self < 0)
    return self;
  if ((err = add_special(self, "maps", NodeType::kFile, Special::kProcMaps)) < 0 ||
      (err = add_special(proc, "meminfo", NodeType::kFile, Special::kProcMeminfo)) < 0 ||
      (err = add_special(proc, "cpuinfo", NodeType::kFile, Special::kProcCpuinfo)) < 0)
    return err;
  int32_t exe = add_node(self, NodeType::kSymlink, "exe");
  if (exe < 0)
    return exe;
  g_nodes[exe].link_target = program_path;
  int32_t fd = add_node(self, NodeType::kDirectory, "fd");
  if (fd < 0)
    return fd;
  g_nodes[fd].special = Special::kProcFd;
  g_fd_dir = fd;
  int32_t d = ensure_dir(0, "sys");
  static const char* const kCpuPath[] = {"devices", "system", "cpu"};
  for (const char* part : kCpuPath)
    d = d < 0 ? d : ensure_dir(d, part);
  if (d < 0)
    return d;
  static const char* const kCpuLists[] = {"online", "possible", "present"};
  for (const char* name : kCpuLists)
    if ((err = add_special(d, name, NodeType::kFile, Special::kText, "0\n")) < 0)
      return err;
  if (find_child(0, "tmp") < 0) {
    int32_t tmp = add_node(0, NodeType::kDirectory, "tmp");
    if (tmp < 0)
      return tmp;
    g_nodes[tmp].special = Special::kScratch;
  }
  // Programs read /etc/hostname for the machine's name; an image without one gets this.
  int32_t etc = find_child(0, "etc");
  if (etc < 0 || g_nodes[etc].type != NodeType::kDirectory)
    etc = ensure_dir(0, "etc");
  if (etc < 0)
    return etc;
  if (find_child(etc, "hostname") < 0 &&
      (err = add_special(etc, "hostname", NodeType::kFile, Special::kText, "nanos\n")) < 0)
    return err;
  return 0;
}

} // namespace

int add_text_file(int32_t dir, const char* name, const char* text) {
  if (find_child(dir, name) >= 0)
    return -EEXIST;
  return add_special(dir, name, NodeType::kFile, Special::kText, text);
}

int build_tree(const tfs::Value* root, const char* program_path) {
  ++Tree::g_generation;
  g_node_count = 0;
  g_fd_dir = g_fd_pool = -1;
  name_index::clear();
  int32_t r = add_node(-1, NodeType::kDirectory, "");
  if (r < 0)
    return r;
  g_nodes[0].tuple_index = root->index;
  g_inode_slots = volume().next_index;
  g_inode_by_index = static_cast<Inode**>(kzalloc(g_inode_slots * sizeof(Inode*) + 8));
  if (!g_inode_by_index)
    return -ENOMEM;
  int err = add_children(0, tfs::get(root, "children"), 0);
  kfree(g_inode_by_index);
  g_inode_by_index = nullptr;
  g_inode_slots = 0;
  if (err < 0)
    return err;
  log::open(); // after every extent is reserved: the log's spare extension comes from free space
  return add_synthetic(program_path);
}

const Tree& tree() {
  return g_tree;
}
size_t node_count() {
  return g_node_count;
}

int32_t new_node(NodeType type, char* name) {
  int32_t id = add_node(-1, type, name);
  if (id >= 0) {
    g_nodes[id].owns_name = true;
    g_nodes[id].removed = true; // until attached
  }
  return id;
}

void attach(int32_t dir, int32_t id) {
  ++Tree::g_generation;
  Node& d = g_nodes[dir];
  g_nodes[id].parent = dir;
  g_nodes[id].removed = false;
  g_nodes[id].next_sibling = -1;
  // At the end of the list: a directory being read sees new entries after the old ones.
  if (d.first_child < 0)
    d.first_child = id;
  else
    g_nodes[d.last_child].next_sibling = id;
  d.last_child = id;
  name_index::insert(id);
}

void detach(int32_t id) {
  ++Tree::g_generation;
  name_index::remove(id);
  Node& d = g_nodes[g_nodes[id].parent];
  int32_t prev = -1;
  for (int32_t c = d.first_child; c >= 0; prev = c, c = g_nodes[c].next_sibling) {
    if (c == id) {
      if (prev < 0)
        d.first_child = g_nodes[id].next_sibling;
      else
        g_nodes[prev].next_sibling = g_nodes[id].next_sibling;
      if (d.last_child == id)
        d.last_child = prev;
      break;
    }
  }
  g_nodes[id].removed = true;
  // Keep next_sibling: a directory stream positioned on this entry continues from it.
}

namespace {
int32_t lookup(int32_t dir, const char* name, size_t len) {
  if (name_index::enabled())
    return name_index::find(dir, name, len);
  for (int32_t c = g_nodes[dir].first_child; c >= 0; c = g_nodes[c].next_sibling)
    if (strncmp(g_nodes[c].name, name, len) == 0 && g_nodes[c].name[len] == 0)
      return c;
  return -1;
}
} // namespace

int32_t find_child(int32_t dir, const char* name) {
  int32_t c = lookup(dir, name, strlen(name));
  return c >= 0 ? c : -ENOENT;
}

void set_fd_dir_refresh(FdDirRefresh refresh) {
  g_fd_refresh = refresh;
}

void begin_fd_dir() {
  if (g_fd_dir < 0)
    return;
  ++Tree::g_generation;
  // Old entries go back to the pool; their ids are reused for the new listing.
  int32_t c = g_nodes[g_fd_dir].first_child;
  while (c >= 0) {
    int32_t next = g_nodes[c].next_sibling;
    name_index::remove(c);
    g_nodes[c].next_sibling = g_fd_pool;
    g_nodes[c].removed = true;
    g_fd_pool = c;
    c = next;
  }
  g_nodes[g_fd_dir].first_child = g_nodes[g_fd_dir].last_child = -1;
}

void add_fd_entry(int fd, const char* target) {
  if (g_fd_dir < 0)
    return;
  int32_t id = g_fd_pool;
  if (id >= 0) {
    g_fd_pool = g_nodes[id].next_sibling;
  } else {
    auto* name = static_cast<char*>(kmalloc(12));
    if (!name || (id = add_node(-1, NodeType::kSymlink, name)) < 0) {
      kfree(name);
      return;
    }
  }
  char* copy = kstrndup(target, strlen(target));
  if (!copy) { // out of memory: the descriptor is left out of the listing
    g_nodes[id].next_sibling = g_fd_pool;
    g_fd_pool = id;
    return;
  }
  klib::format(const_cast<char*>(g_nodes[id].name), 12, "%d", fd);
  kfree(const_cast<char*>(g_nodes[id].link_target));
  g_nodes[id].link_target = copy;
  attach(g_fd_dir, id);
}

NodeId Tree::parent(NodeId dir) const {
  const Node* n = node(dir);
  return n ? n->parent : -ENOENT;
}
bool Tree::is_directory(NodeId id) const {
  const Node* n = node(id);
  return n && n->type == NodeType::kDirectory;
}
const char* Tree::symlink_target(NodeId id) const {
  const Node* n = node(id);
  return n && n->type == NodeType::kSymlink ? n->link_target : nullptr;
}
NodeId Tree::child(NodeId dir, const char* name, size_t len) const {
  const Node* d = node(dir);
  if (!d || d->type != NodeType::kDirectory)
    return -ENOTDIR;
  if (d->special == Special::kProcFd && g_fd_refresh)
    g_fd_refresh();
  int32_t c = lookup(static_cast<int32_t>(dir), name, len);
  return c >= 0 ? c : -ENOENT;
}

long node_path(NodeId id, char* buf, size_t size) {
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
