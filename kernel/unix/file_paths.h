// Path and descriptor arguments of the file syscalls (sys_file.cc, sys_fs_change.cc): user
// paths copied in, resolved as the *at() calls do, or split into a directory and a last
// name for the calls that create, remove or rename entries.
#pragma once

#include "fs/dir_ops.h"
#include "unix/file.h"
#include "unix/path_walk.h"

#include <stddef.h>

namespace unix {

File* file_of(int fd);

// Copies a user path into the shared path buffer (path_buffer()). Returns its length, or
// -EFAULT, -ENAMETOOLONG, or -ENOENT for "" unless allow_empty.
long fetch_path(const char* user, bool allow_empty = false);
char* path_buffer();

// Resolves (dirfd, path) as the *at() syscalls do. Returns a node or -errno.
NodeId resolve_at(int dirfd, const char* user_path, bool follow, bool empty_path_ok = false);

// Resolves the directory of (dirfd, path) and copies the last component (trailing slashes
// dropped) to name. The last component may be "." or ".." (callers reject those as they
// need); the path "/" gives -EEXIST. Returns the directory or -errno.
constexpr size_t kNameBuffer = fs::kMaxNameLength + 2;
NodeId resolve_parent(int dirfd, const char* user_path, char name[kNameBuffer]);
bool is_dot_name(const char* name);

} // namespace unix
