#include "fs/dir_ops.h"

#include "fs/file_data.h"
#include "fs/fs_lock.h"
#include "fs/metadata_log.h"
#include "fs/volume.h"
#include "lib/errno.h"
#ifdef KERNEL_HOST_BUILD
#include <new> // host unit tests: the C++ library's nothrow new
#else
#include "lib/new.h"
#endif
#include "lib/string.h"
#include "mm/heap.h"

namespace fs {
namespace {

bool in_log(const Node* dir) {
  return dir->children_index != 0;
}
bool scratch(const Node* dir) {
  return dir->special == Special::kScratch;
}

// Where new entries may go: a logged directory of a writable volume, or a scratch one.
int check_dir(int32_t dir, const char* name) {
  Node* d = node(dir);
  if (!d || d->type != NodeType::kDirectory)
    return -ENOTDIR;
  if (d->removed && dir != 0)
    return -ENOENT;
  if (!writable())
    return -EROFS;
  if (!in_log(d) && !scratch(d))
    return -EACCES; // a synthetic directory (/dev, /proc ...)
  if (strlen(name) > kMaxNameLength)
    return -ENAMETOOLONG;
  if (find_child(dir, name) >= 0)
    return -EEXIST;
  return 0;
}

// The node for a new entry, attached to dir (ids never move, so no pointer is kept across
// new_node, which may grow the table).
long add_entry(int32_t dir, const char* name, NodeType type, uint32_t tuple, uint32_t children) {
  char* copy = kstrndup(name, strlen(name));
  if (!copy)
    return -ENOMEM;
  int32_t id = new_node(type, copy);
  if (id < 0) {
    kfree(copy);
    return id;
  }
  Node* n = node(id);
  n->tuple_index = tuple;
  n->children_index = children;
  if (type == NodeType::kDirectory && scratch(node(dir)))
    n->special = Special::kScratch;
  attach(dir, id);
  return id;
}

// The entry lost a name: a file whose last name went and that no one has open gives its
// blocks back.
void drop_name(int32_t id) {
  Node* n = node(id);
  detach(id);
  if (n->type != NodeType::kFile || !n->inode)
    return;
  Inode* f = n->inode;
  if (--f->links > 0) {
    // Still named elsewhere: keep the log's count right (a reader that frees a file's
    // blocks at its last unlink goes by it, spec §3.5 `nlink`).
    if (f->tuple_index && in_log(node(n->parent)))
      (void)log::set_number(f->tuple_index, "nlink", static_cast<uint64_t>(f->links));
    return;
  }
  if (f->opens > 0)
    return;
  log::forget(f);
  release_file_blocks(f);
  f->length = 0; // the Inode itself stays: an mmap of the file may still name the node
}

// The kernel's own nodes (devices, /proc, /etc/hostname when synthesized, /tmp when the image
// has none) cannot be renamed, removed or replaced: they have no tuple a record could name.
bool synthetic_in(const Node* dir, const Node* n) {
  if (n->special != Special::kNone && n->special != Special::kScratch)
    return true;
  if (n->type == NodeType::kSocket)
    return false; // never in the log, but the program's own
  return in_log(dir) && n->tuple_index == 0;
}

bool is_empty_dir(const Node* n) {
  return n->first_child < 0;
}

// True if `id` is `ancestor` or below it.
bool is_below(int32_t id, int32_t ancestor) {
  for (int depth = 0; depth < 512; ++depth) {
    if (id == ancestor)
      return true;
    if (id == 0)
      return false;
    id = node(id)->parent;
  }
  return false;
}

} // namespace

long create_file(int32_t dir, const char* name) {
  FsLocked locked;
  int err = check_dir(dir, name);
  if (err < 0)
    return err;
  auto* f = new (std::nothrow) Inode();
  if (!f)
    return -ENOMEM;
  if (in_log(node(dir))) {
    auto e = log::add_file(node(dir)->children_index, name);
    if (!e.ok()) {
      delete f;
      return e.error();
    }
    f->tuple_index = e->tuple;
    f->extents_index = e->children;
  }
  long id = add_entry(dir, name, NodeType::kFile, f->tuple_index, 0);
  if (id < 0) {
    delete f; // the logged entry stays as an empty file; harmless
    return id;
  }
  f->links = 1;
  f->number = static_cast<uint32_t>(id);
  node(id)->inode = f;
  return id;
}

long make_directory(int32_t dir, const char* name) {
  FsLocked locked;
  int err = check_dir(dir, name);
  if (err < 0)
    return err;
  uint32_t tuple = 0, children = 0;
  if (in_log(node(dir))) {
    auto e = log::add_directory(node(dir)->children_index, name);
    if (!e.ok())
      return e.error();
    tuple = e->tuple;
    children = e->children;
  }
  return add_entry(dir, name, NodeType::kDirectory, tuple, children);
}

long make_symlink(int32_t dir, const char* name, const char* target) {
  FsLocked locked;
  int err = check_dir(dir, name);
  if (err < 0)
    return err;
  char* copy = kstrndup(target, strlen(target));
  if (!copy)
    return -ENOMEM;
  uint32_t tuple = 0;
  if (in_log(node(dir))) {
    auto e = log::add_symlink(node(dir)->children_index, name, target);
    if (!e.ok()) {
      kfree(copy);
      return e.error();
    }
    tuple = e->tuple;
  }
  long id = add_entry(dir, name, NodeType::kSymlink, tuple, 0);
  if (id < 0) {
    kfree(copy);
    return id;
  }
  node(id)->link_target = copy;
  return id;
}

long make_hard_link(int32_t dir, const char* name, int32_t target) {
  FsLocked locked;
  Node* t = node(target);
  if (!t)
    return -ENOENT;
  if (t->type == NodeType::kDirectory)
    return -EPERM;
  if (t->type != NodeType::kFile || !t->inode || t->special != Special::kNone)
    return -EPERM; // devices and generated files are not links the format can hold
  int err = check_dir(dir, name);
  if (err < 0)
    return err;
  bool logged = in_log(node(dir));
  if (logged != (t->tuple_index != 0))
    return -EXDEV; // between the log and a scratch directory
  if (logged && (!log::add_reference(node(dir)->children_index, name, t->tuple_index).ok() ||
                 !log::set_number(t->tuple_index, "nlink",
                                  static_cast<uint64_t>(t->inode->links + 1)).ok()))
    return -ENOSPC;
  Inode* f = node(target)->inode;
  long id = add_entry(dir, name, NodeType::kFile, node(target)->tuple_index, 0);
  if (id < 0)
    return id;
  node(id)->inode = f;
  ++f->links;
  return 0;
}

long make_socket_node(int32_t dir, const char* name) {
  FsLocked locked;
  if (int r = check_dir(dir, name); r < 0)
    return r;
  return add_entry(dir, name, NodeType::kSocket, 0, 0);
}

int remove_entry(int32_t dir, const char* name, bool directory) {
  FsLocked locked;
  Node* d = node(dir);
  if (!d || d->type != NodeType::kDirectory)
    return -ENOTDIR;
  int32_t id = find_child(dir, name);
  if (id < 0)
    return id;
  Node* n = node(id);
  if (directory && n->type != NodeType::kDirectory)
    return -ENOTDIR;
  if (!directory && n->type == NodeType::kDirectory)
    return -EISDIR;
  if (!writable())
    return -EROFS;
  if (!in_log(d) && !scratch(d))
    return -EACCES;
  if (synthetic_in(d, n))
    return -EACCES;
  if (directory && !is_empty_dir(n))
    return -ENOTEMPTY;
  if (in_log(d) && n->type != NodeType::kSocket) {
    Status s = log::remove_entry(d->children_index, name);
    if (!s.ok())
      return s.error();
  }
  drop_name(id);
  return 0;
}

int rename_entry(int32_t old_dir, const char* old_name, int32_t new_dir, const char* new_name,
                 bool no_replace) {
  FsLocked locked;
  Node* od = node(old_dir);
  Node* nd = node(new_dir);
  if (!od || !nd || od->type != NodeType::kDirectory || nd->type != NodeType::kDirectory)
    return -ENOTDIR;
  int32_t src = find_child(old_dir, old_name);
  if (src < 0)
    return src;
  if (strlen(new_name) > kMaxNameLength)
    return -ENAMETOOLONG;
  if (!writable())
    return -EROFS;
  if ((!in_log(od) && !scratch(od)) || (!in_log(nd) && !scratch(nd)))
    return -EACCES;
  if (in_log(od) != in_log(nd))
    return -EXDEV;
  int32_t dst = find_child(new_dir, new_name);
  Node* s = node(src);
  if (dst == src)
    return 0; // the same entry: nothing to do (POSIX)
  if (synthetic_in(od, s))
    return -EACCES;
  if (dst >= 0) {
    if (no_replace)
      return -EEXIST;
    Node* t = node(dst);
    if (synthetic_in(nd, t))
      return -EACCES;
    if (s->type == NodeType::kDirectory && t->type != NodeType::kDirectory)
      return -ENOTDIR;
    if (s->type != NodeType::kDirectory && t->type == NodeType::kDirectory)
      return -EISDIR;
    if (t->type == NodeType::kDirectory && !is_empty_dir(t))
      return -ENOTEMPTY;
    if (t->inode && t->inode == s->inode)
      return 0; // two hard links of one file: rename does nothing (POSIX)
  }
  if (s->type == NodeType::kDirectory && is_below(new_dir, src))
    return -EINVAL; // into itself
  char* copy = kstrndup(new_name, strlen(new_name));
  if (!copy)
    return -ENOMEM;
  if (in_log(od) && s->type != NodeType::kSocket) {
    Status st = old_dir == new_dir
                    ? log::move_entry(od->children_index, old_name, new_name, s->tuple_index)
                    : log::add_reference(nd->children_index, new_name, s->tuple_index);
    if (st.ok() && old_dir != new_dir) {
      st = log::remove_entry(od->children_index, old_name);
      // The file now has both names in the log; the kernel's tree shows the new one only.
    }
    if (!st.ok()) {
      kfree(copy);
      return st.error();
    }
  }
  if (dst >= 0)
    drop_name(dst);
  detach(src);
  s = node(src);
  if (s->owns_name)
    kfree(const_cast<char*>(s->name));
  s->name = copy;
  s->owns_name = true;
  attach(new_dir, src);
  return 0;
}

void file_opened(Inode* f) {
  FsLocked locked;
  ++f->opens;
}

void file_closed(Inode* f) {
  FsLocked locked;
  if (--f->opens > 0)
    return;
  if (f->links > 0) {
    trim_file(f);
    return;
  }
  log::forget(f);
  release_file_blocks(f);
  f->length = 0; // kept (small): an mmap of the file may still name its node
}

} // namespace fs
