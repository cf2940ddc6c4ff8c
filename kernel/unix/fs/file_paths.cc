#include "unix/fs/file_paths.h"

#include "arch/x86_64/usercopy.h"
#include "fs/tree.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "unix/syscall/linux_abi.h"
#include "unix/process/process.h"

namespace unix {
namespace {

// The directory a relative path starts from: the cwd, or dirfd's directory.
ErrorOr<NodeId> base_directory(int dirfd) {
  if (dirfd == linux::AT_FDCWD)
    return process().cwd;
  File* f = file_of(dirfd);
  if (!f)
    return Err(-EBADF);
  if (f->kind != FileKind::kDirectory)
    return Err(-ENOTDIR);
  return f->node;
}

} // namespace

File* file_of(int fd) {
  return process().files.get(fd);
}

ErrorOr<size_t> copy_path_from_user(PathBuffer& path, UserPtr<const char> user,
                                    bool allow_empty) {
  if (!path.ok())
    return Err(-ENOMEM);
  size_t n = TRY(strncpy_from_user(path.data(), user, path.size()));
  if (n == 0 && !allow_empty)
    return Err(-ENOENT);
  return n;
}

ErrorOr<NodeId> resolve_user_path(int dirfd, UserPtr<const char> user_path, bool follow,
                                  bool empty_path_ok) {
  PathBuffer path;
  size_t n = TRY(copy_path_from_user(path, user_path, empty_path_ok));
  if (n == 0 && dirfd != linux::AT_FDCWD) { // AT_EMPTY_PATH: the descriptor itself
    File* f = file_of(dirfd);
    if (!f || f->node < 0)
      return Err(-EBADF);
    return f->node;
  }
  NodeId base = path.data()[0] == '/' ? process().cwd : TRY(base_directory(dirfd));
  NodeId id = walk_path(fs::tree(), base, path.data(), follow);
  if (id < 0)
    return Err(static_cast<int>(id));
  return id;
}

ErrorOr<NodeId> resolve_user_parent(int dirfd, UserPtr<const char> user_path,
                                    char name[kNameBuffer]) {
  PathBuffer buffer;
  size_t len = TRY(copy_path_from_user(buffer, user_path));
  char* path = buffer.data();
  while (len > 1 && path[len - 1] == '/')
    path[--len] = 0; // "dir/" names dir
  size_t slash = len;
  while (slash > 0 && path[slash - 1] != '/')
    --slash;
  size_t name_len = len - slash;
  if (name_len == 0) // the path was "/"
    return Err(-EEXIST);
  if (name_len > fs::kMaxNameLength)
    return Err(-ENAMETOOLONG);
  memcpy(name, path + slash, name_len);
  name[name_len] = 0;
  NodeId base = path[0] == '/' ? process().cwd : TRY(base_directory(dirfd));
  if (slash == 0)
    return base;
  if (slash == 1)
    path[1] = 0;
  else
    path[slash - 1] = 0; // drop the trailing '/' of the directory part
  NodeId dir = walk_path(fs::tree(), base, path, true);
  if (dir < 0)
    return Err(static_cast<int>(dir));
  if (!fs::tree().is_directory(dir))
    return Err(-ENOTDIR);
  return dir;
}

bool is_dot_name(const char* name) {
  return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

} // namespace unix
