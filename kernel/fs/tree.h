// The file tree the program sees: every directory, file and symlink of the root TFS, plus the
// kernel's synthetic nodes (/dev, /proc, /sys, /etc/hostname when the image lacks it). A flat
// node table built at boot and changed by the directory operations (fs/dir_ops.h); nodes are
// addressed by index and never reused, so a descriptor's node stays valid after an unlink.
#pragma once

#include "fs/inode.h"
#include "lib/tfs/tfs.h"
#include "fs/path_walk.h"

#include <stddef.h>
#include <stdint.h>

namespace fs {

// kSocket: the name of a bound AF_UNIX socket. It lives in the in-memory tree only (never in
// the log: a socket does not outlive the program), so stat sees it and unlink removes it.
enum class NodeType : uint8_t { kDirectory, kFile, kSymlink, kCharDevice, kSocket };
enum class Special : uint8_t {
  kNone,
  kNull,
  kZero,
  kRandom,
  kTty,         // /dev/tty: there is no controlling terminal (open gives -ENXIO)
  kProcMaps,    // generated at open by the unix layer
  kProcMeminfo, // likewise
  kProcCpuinfo, // likewise
  kText,        // fixed content in link_target (/sys/devices/system/cpu/online ...)
  kProcFd,      // /proc/self/fd: its symlinks are refreshed from the descriptor table
  kScratch,     // a directory outside the log (/tmp when the image has none): what is
                // created below it lives until the program ends (data in free blocks)
};

struct Node {
  NodeType type;
  Special special;
  bool removed;         // unlinked: in no directory any more
  bool owns_name;       // name was allocated (and is freed on rename)
  int32_t parent;       // the root is its own parent
  int32_t first_child;  // directories: children as a singly linked list (-1: none)
  int32_t last_child;   // its tail, so that adding an entry is O(1)
  int32_t next_sibling; // -1: last
  const char* name;     // NUL-terminated
  const char* link_target; // symlinks (and kText content), NUL-terminated
  uint32_t tuple_index;    // dictionary number of its tuple in the log; 0 = not in the log
  uint32_t children_index; // directories in the log: their children tuple
  Inode* inode;            // regular files
};

class Tree final : public PathTree {
public:
  NodeId root() const override { return 0; }
  NodeId parent(NodeId dir) const override;
  bool is_directory(NodeId node) const override;
  const char* symlink_target(NodeId node) const override;
  NodeId child(NodeId dir, const char* name, size_t len) const override;
  uint64_t generation() const override { return g_generation; }
  PrefixCache* prefix_cache() const override { return &prefixes_; }

  // Bumped by every change to a directory's entries (attach, detach, a new tree, the
  // /proc/self/fd refresh).
  static inline uint64_t g_generation = 0;

private:
  mutable PrefixCache prefixes_;
};

// Builds the tree from the mounted root tuple; program_path becomes /proc/self/exe's target.
// Also reserves every extent it finds in the free-space map. Returns 0 or -ENOMEM / -EINVAL.
int build_tree(const tfs::Value* root, const char* program_path);

const Tree& tree();
// The node table (tree.cc); node() is inline because every path component looks nodes up.
extern Node* g_nodes;
extern size_t g_node_count;
inline Node* node(NodeId id) { // nullptr if out of range
  return id >= 0 && static_cast<size_t>(id) < g_node_count ? &g_nodes[id] : nullptr;
}
size_t node_count();

// Builds the absolute path of a node into buf (for getcwd). Returns its length, or -ERANGE.
long node_path(NodeId id, char* buf, size_t size);

// ---- used by the directory operations ----
// A new node (not yet in a directory); -ENOMEM. Takes ownership of name.
int32_t new_node(NodeType type, char* name);
void attach(int32_t dir, int32_t id);   // adds id to dir's children
void detach(int32_t id);                // takes id out of its directory
int32_t find_child(int32_t dir, const char* name);
// A read-only file in dir whose content is `text` (NUL-terminated; the caller keeps it and
// may change it in place: each open reads it afresh). For files the kernel generates, such
// as /etc/resolv.conf. Returns 0, -EEXIST when dir has the name already, or -ENOMEM.
int add_text_file(int32_t dir, const char* name, const char* text);

// /proc/self/fd: the unix layer lists its descriptors through this hook when the directory is
// read or looked up: it calls begin_fd_dir(), then add_fd_entry() for every descriptor.
using FdDirRefresh = void (*)();
void set_fd_dir_refresh(FdDirRefresh refresh);
void begin_fd_dir();
void add_fd_entry(int fd, const char* target);

} // namespace fs
