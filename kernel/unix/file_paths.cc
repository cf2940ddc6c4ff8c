#include "unix/file_paths.h"

#include "arch/x86_64/usercopy.h"
#include "fs/tree.h"
#include "lib/errno.h"
#include "lib/noclear.h"
#include "lib/string.h"
#include "unix/linux_abi.h"
#include "unix/process.h"

namespace unix {
namespace {
// One syscall runs at a time (the kernel does not sleep while it uses this buffer).
KERNEL_NOCLEAR char g_path[kMaxPathLength];
} // namespace

char* path_buffer() {
  return g_path;
}

File* file_of(int fd) {
  return process().files.get(fd);
}

long fetch_path(const char* user, bool allow_empty) {
  long n = strncpy_from_user(g_path, user, sizeof g_path);
  if (n < 0)
    return n;
  if (n == 0 && !allow_empty)
    return -ENOENT;
  return n;
}

NodeId resolve_at(int dirfd, const char* user_path, bool follow, bool empty_path_ok) {
  long n = fetch_path(user_path, empty_path_ok);
  if (n < 0)
    return n;
  NodeId base = process().cwd;
  if (n == 0 || g_path[0] != '/') {
    if (dirfd != linux::AT_FDCWD) {
      File* f = file_of(dirfd);
      if (!f)
        return -EBADF;
      if (n == 0)
        return f->node >= 0 ? f->node : -EBADF; // AT_EMPTY_PATH on the descriptor itself
      if (f->kind != FileKind::kDirectory)
        return -ENOTDIR;
      base = f->node;
    }
  }
  return walk_path(fs::tree(), base, g_path, follow);
}

NodeId resolve_parent(int dirfd, const char* user_path, char name[kNameBuffer]) {
  long n = fetch_path(user_path);
  if (n < 0)
    return n;
  size_t len = static_cast<size_t>(n);
  while (len > 1 && g_path[len - 1] == '/')
    g_path[--len] = 0; // "dir/" names dir
  size_t slash = len;
  while (slash > 0 && g_path[slash - 1] != '/')
    --slash;
  size_t name_len = len - slash;
  if (name_len == 0) // the path was "/"
    return -EEXIST;
  if (name_len > fs::kMaxNameLength)
    return -ENAMETOOLONG;
  memcpy(name, g_path + slash, name_len);
  name[name_len] = 0;
  NodeId base = process().cwd;
  if (g_path[0] != '/' && dirfd != linux::AT_FDCWD) {
    File* f = file_of(dirfd);
    if (!f)
      return -EBADF;
    if (f->kind != FileKind::kDirectory)
      return -ENOTDIR;
    base = f->node;
  }
  if (slash == 0)
    return base;
  if (slash == 1) {
    g_path[1] = 0;
  } else {
    g_path[slash - 1] = 0; // drop the trailing '/' of the directory part
  }
  NodeId dir = walk_path(fs::tree(), base, g_path, true);
  if (dir < 0)
    return dir;
  if (!fs::tree().is_directory(dir))
    return -ENOTDIR;
  return dir;
}

bool is_dot_name(const char* name) {
  return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

} // namespace unix
