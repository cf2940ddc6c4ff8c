// The file tree the program sees: every directory, file and symlink of the root TFS, plus the
// kernel's synthetic nodes (/dev/null, /dev/zero, /dev/urandom, /dev/random, /proc/self/exe,
// /proc/self/maps). Built once at boot as a flat node table; nodes are addressed by index.
#pragma once

#include "lib/tfs/tfs.h"
#include "unix/path_walk.h"

#include <stddef.h>
#include <stdint.h>

namespace fs {

enum class NodeType : uint8_t { kDirectory, kFile, kSymlink, kCharDevice };
enum class Special : uint8_t { kNone, kNull, kZero, kRandom, kProcMaps };

struct Node {
  NodeType type;
  Special special;
  int32_t parent;       // the root is its own parent
  int32_t first_child;  // directories: children as a singly linked list (-1: none)
  int32_t next_sibling; // -1: last
  const char* name;     // NUL-terminated
  const tfs::Value* tuple; // TFS nodes; nullptr for synthetic ones
  const char* link_target; // symlinks, NUL-terminated
};

class Tree final : public unix::PathTree {
public:
  unix::NodeId root() const override { return 0; }
  unix::NodeId parent(unix::NodeId dir) const override;
  bool is_directory(unix::NodeId node) const override;
  const char* symlink_target(unix::NodeId node) const override;
  unix::NodeId child(unix::NodeId dir, const char* name, size_t len) const override;
};

// Builds the tree from the mounted root tuple; program_path becomes /proc/self/exe's target.
// Returns 0 or -ENOMEM / -EINVAL (malformed directory structure).
int build_tree(const tfs::Value* root, const char* program_path);

const Tree& tree();
const Node* node(unix::NodeId id); // nullptr if out of range
size_t node_count();

// Builds the absolute path of a node into buf (for getcwd). Returns its length, or -ERANGE.
long node_path(unix::NodeId id, char* buf, size_t size);

} // namespace fs
