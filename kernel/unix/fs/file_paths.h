// Path and descriptor arguments of the file syscalls (sys_file.cc, sys_fs_change.cc): user
// paths copied in, resolved as the *at() calls do, or split into a directory and a last
// name for the calls that create, remove or rename entries.
//
// Each call copies the path into its own PathBuffer (heap, freed on return): a handler may
// sleep in the filesystem, and another thread may resolve a path meanwhile.
#pragma once

#include "arch/x86_64/user_ptr.h"
#include "fs/dir_ops.h"
#include "lib/error_or.h"
#include "unix/fd/file.h"
#include "unix/syscall/heap_buffer.h"
#include "unix/fs/fs_names.h"

#include <stddef.h>

namespace unix {

File* file_of(int fd);

// A kernel copy of one user path (kMaxPathLength bytes from the heap).
class PathBuffer : public HeapBuffer {
public:
  PathBuffer() : HeapBuffer(kMaxPathLength) {}
};

// Copies a user path into `path`. Returns its length. Errors: -ENOMEM (no buffer),
// -EFAULT, -ENAMETOOLONG, or -ENOENT for "" unless allow_empty.
ErrorOr<size_t> copy_path_from_user(PathBuffer& path, UserPtr<const char> user,
                                    bool allow_empty = false);

// Resolves (dirfd, path) as the *at() syscalls do; "" with empty_path_ok names dirfd itself.
ErrorOr<NodeId> resolve_user_path(int dirfd, UserPtr<const char> user_path, bool follow,
                                  bool empty_path_ok = false);

// Resolves the directory of (dirfd, path) and copies the last component (trailing slashes
// dropped) to name. The last component may be "." or ".." (callers reject those as they
// need); the path "/" gives -EEXIST.
constexpr size_t kNameBuffer = fs::kMaxNameLength + 2;
ErrorOr<NodeId> resolve_user_parent(int dirfd, UserPtr<const char> user_path,
                                    char name[kNameBuffer]);
bool is_dot_name(const char* name);


} // namespace unix
