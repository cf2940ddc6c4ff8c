// Changes to the tree: create, mkdir, symlink, hard link, unlink/rmdir, rename. Each one is
// recorded in the log first (fs/metadata_log.h) and applied to the in-memory tree only when
// that worked, so a full disk leaves both unchanged. Entries below a kScratch directory are
// not logged. Every function returns a node id / 0 or -errno.
#pragma once

#include "fs/path_walk.h" // kMaxNameLength: the one limit lookups and changes share
#include "fs/tree.h"

#include <stddef.h>
#include <stdint.h>

namespace fs {

long create_file(int32_t dir, const char* name);
long make_directory(int32_t dir, const char* name);
long make_symlink(int32_t dir, const char* name, const char* target);
long make_hard_link(int32_t dir, const char* name, int32_t target);
// A socket node (NodeType::kSocket) named `name` in dir, for AF_UNIX bind: not logged, but
// created where a file could be (-EEXIST when the name is taken, -EROFS, -EACCES...).
long make_socket_node(int32_t dir, const char* name);
// directory = true: rmdir (the entry must be an empty directory); false: unlink.
int remove_entry(int32_t dir, const char* name, bool directory);
int rename_entry(int32_t old_dir, const char* old_name, int32_t new_dir, const char* new_name,
                 bool no_replace);

// Open files keep an unlinked file's blocks until the last one is closed.
void file_opened(Inode* file);
void file_closed(Inode* file);

} // namespace fs
