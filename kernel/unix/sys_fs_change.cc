
#include "arch/x86_64/usercopy.h"
#include "fs/dir_ops.h"
#include "fs/file_data.h"
#include "fs/metadata_log.h"
#include "fs/tree.h"
#include "fs/volume.h"
#include "lib/errno.h"
#include "lib/noclear.h"
#include "lib/string.h"
#include "unix/file_paths.h"
#include "unix/linux_abi.h"
#include "unix/process.h"
#include "unix/syscall_handlers.h"
#include "unix/tfs_time.h"

namespace unix {
namespace {

// The last path component of the call being served (one syscall at a time, no sleeping).
char g_name[kNameBuffer];

// ---- changing the tree ----
constexpr int kRenameNoReplace = 1;
constexpr int kFallocKeepSize = 1;
constexpr int kAtSymlinkFollow = 0x400;
constexpr int64_t kUtimeNow = (1l << 30) - 1, kUtimeOmit = (1l << 30) - 2;

long do_mkdir(int dirfd, const char* path) {
  NodeId dir = resolve_parent(dirfd, path, g_name);
  if (dir < 0)
    return dir;
  if (is_dot_name(g_name))
    return -EEXIST;
  long r = fs::make_directory(static_cast<int32_t>(dir), g_name);
  return r < 0 ? r : 0;
}
} // namespace

SyscallResult sys_mkdir(const SyscallArgs& a) {
  return do_mkdir(linux::AT_FDCWD, a.p<const char>(0));
}

SyscallResult sys_mkdirat(const SyscallArgs& a) {
  return do_mkdir(a.i(0), a.p<const char>(1));
}

namespace {

long do_unlink(int dirfd, const char* path, bool directory) {
  NodeId dir = resolve_parent(dirfd, path, g_name);
  if (dir < 0)
    return dir == -EEXIST ? (directory ? -EBUSY : -EISDIR) : dir; // "/"
  if (strcmp(g_name, ".") == 0)
    return directory ? -EINVAL : -EISDIR;
  if (strcmp(g_name, "..") == 0)
    return directory ? -ENOTEMPTY : -EISDIR;
  return fs::remove_entry(static_cast<int32_t>(dir), g_name, directory);
}
} // namespace

SyscallResult sys_unlink(const SyscallArgs& a) {
  return do_unlink(linux::AT_FDCWD, a.p<const char>(0), false);
}

SyscallResult sys_rmdir(const SyscallArgs& a) {
  return do_unlink(linux::AT_FDCWD, a.p<const char>(0), true);
}

SyscallResult sys_unlinkat(const SyscallArgs& a) {
  if (a.i(2) & ~linux::AT_REMOVEDIR)
    return -EINVAL;
  return do_unlink(a.i(0), a.p<const char>(1), a.i(2) & linux::AT_REMOVEDIR);
}

namespace {

long do_rename(int olddirfd, const char* oldpath, int newdirfd, const char* newpath, int flags) {
  // RENAME_EXCHANGE and RENAME_WHITEOUT are not done (EINVAL, as filesystems without them).
  if (flags & ~kRenameNoReplace)
    return -EINVAL;
  NodeId odir = resolve_parent(olddirfd, oldpath, g_name);
  if (odir < 0)
    return odir == -EEXIST ? -EBUSY : odir;
  if (is_dot_name(g_name))
    return -EBUSY;
  static char old_name[fs::kMaxNameLength + 2];
  memcpy(old_name, g_name, sizeof old_name);
  NodeId ndir = resolve_parent(newdirfd, newpath, g_name);
  if (ndir < 0)
    return ndir == -EEXIST ? -EBUSY : ndir;
  if (is_dot_name(g_name))
    return -EBUSY;
  return fs::rename_entry(static_cast<int32_t>(odir), old_name, static_cast<int32_t>(ndir), g_name,
                          flags & kRenameNoReplace);
}
} // namespace

SyscallResult sys_rename(const SyscallArgs& a) {
  return do_rename(linux::AT_FDCWD, a.p<const char>(0), linux::AT_FDCWD, a.p<const char>(1), 0);
}

SyscallResult sys_renameat(const SyscallArgs& a) {
  return do_rename(a.i(0), a.p<const char>(1), a.i(2), a.p<const char>(3), 0);
}

SyscallResult sys_renameat2(const SyscallArgs& a) {
  return do_rename(a.i(0), a.p<const char>(1), a.i(2), a.p<const char>(3), a.i(4));
}

namespace {

long do_symlink(const char* utarget, int dirfd, const char* path) {
  KERNEL_NOCLEAR static char target[kMaxPathLength];
  long n = strncpy_from_user(target, utarget, sizeof target);
  if (n < 0)
    return n;
  if (n == 0)
    return -ENOENT;
  NodeId dir = resolve_parent(dirfd, path, g_name);
  if (dir < 0)
    return dir;
  if (is_dot_name(g_name))
    return -EEXIST;
  long r = fs::make_symlink(static_cast<int32_t>(dir), g_name, target);
  return r < 0 ? r : 0;
}
} // namespace

SyscallResult sys_symlink(const SyscallArgs& a) {
  return do_symlink(a.p<const char>(0), linux::AT_FDCWD, a.p<const char>(1));
}

SyscallResult sys_symlinkat(const SyscallArgs& a) {
  return do_symlink(a.p<const char>(0), a.i(1), a.p<const char>(2));
}

namespace {

long do_link(int olddirfd, const char* oldpath, int newdirfd, const char* newpath, int flags) {
  if (flags & ~(kAtSymlinkFollow | linux::AT_EMPTY_PATH))
    return -EINVAL;
  NodeId target = resolve_at(olddirfd, oldpath, flags & kAtSymlinkFollow, flags & linux::AT_EMPTY_PATH);
  if (target < 0)
    return target;
  NodeId dir = resolve_parent(newdirfd, newpath, g_name);
  if (dir < 0)
    return dir;
  if (is_dot_name(g_name))
    return -EEXIST;
  long r = fs::make_hard_link(static_cast<int32_t>(dir), g_name, static_cast<int32_t>(target));
  return r < 0 ? r : 0;
}
} // namespace

SyscallResult sys_link(const SyscallArgs& a) {
  return do_link(linux::AT_FDCWD, a.p<const char>(0), linux::AT_FDCWD, a.p<const char>(1), 0);
}

SyscallResult sys_linkat(const SyscallArgs& a) {
  return do_link(a.i(0), a.p<const char>(1), a.i(2), a.p<const char>(3), a.i(4));
}

namespace {

// ---- sizes ----
long truncate_node(NodeId id, int64_t length) {
  if (id < 0)
    return id;
  if (length < 0)
    return -EINVAL;
  fs::Node* n = fs::node(id);
  if (n->type == fs::NodeType::kDirectory)
    return -EISDIR;
  if (n->type != fs::NodeType::kFile || n->special != fs::Special::kNone || !n->inode)
    return -EINVAL;
  if (!fs::writable())
    return -EROFS;
  if (static_cast<uint64_t>(length) > (1ull << 44))
    return -EFBIG;
  int r = fs::truncate_file(n->inode, static_cast<uint64_t>(length));
  if (r == 0) {
    n->inode->mtime = tfs_now();
    n->inode->times_dirty = true;
  }
  return r;
}
} // namespace

SyscallResult sys_truncate(const SyscallArgs& a) {
  return truncate_node(resolve_at(linux::AT_FDCWD, a.p<const char>(0), true), a.a[1]);
}

SyscallResult sys_ftruncate(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  if (f->kind != FileKind::kRegular || (f->flags & linux::O_ACCMODE) == linux::O_RDONLY)
    return -EINVAL;
  return truncate_node(f->node, a.a[1]);
}

SyscallResult sys_fallocate(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  int mode = a.i(1);
  int64_t off = a.a[2], len = a.a[3];
  if (off < 0 || len <= 0)
    return -EINVAL;
  if (mode & ~kFallocKeepSize)
    return -EOPNOTSUPP; // punching holes, collapsing, zeroing ranges: not done here
  if (f->kind != FileKind::kRegular)
    return f->kind == FileKind::kDirectory ? -EISDIR : -ENODEV;
  if ((f->flags & linux::O_ACCMODE) == linux::O_RDONLY)
    return -EBADF;
  if (!fs::writable())
    return -EROFS;
  if (static_cast<uint64_t>(off) + static_cast<uint64_t>(len) > (1ull << 44))
    return -EFBIG;
  return fs::allocate_file(fs::node(f->node)->inode, static_cast<uint64_t>(off),
                           static_cast<uint64_t>(len), mode & kFallocKeepSize);
}

namespace {

// ---- times, permissions, owners ----
// Times are kept for regular files (TFS mtime/atime); directories and links accept the
// call and keep nothing.
long set_times(NodeId id, const linux::timespec* t) {
  if (id < 0)
    return id;
  fs::Node* n = fs::node(id);
  if (!n->inode)
    return fs::writable() || n->special != fs::Special::kNone ? 0 : -EROFS;
  if (!fs::writable())
    return -EROFS;
  uint64_t now = tfs_now();
  for (int i = 0; i < 2; ++i) {
    if (t && t[i].tv_nsec == kUtimeOmit)
      continue;
    if (t && t[i].tv_nsec != kUtimeNow && (t[i].tv_nsec < 0 || t[i].tv_nsec >= 1000000000))
      return -EINVAL;
    uint64_t v = !t || t[i].tv_nsec == kUtimeNow ? now : to_tfs_time(t[i].tv_sec, t[i].tv_nsec);
    (i == 0 ? n->inode->atime : n->inode->mtime) = v;
  }
  n->inode->times_dirty = true;
  fs::log::mark_dirty(n->inode);
  return 0;
}
} // namespace

SyscallResult sys_utimensat(const SyscallArgs& a) {
  linux::timespec t[2];
  const linux::timespec* tp = nullptr;
  if (a.a[2]) {
    if (copy_from_user(t, a.p<void>(2), sizeof t) < 0)
      return -EFAULT;
    tp = t;
  }
  int flags = a.i(3);
  if (flags & ~(linux::AT_SYMLINK_NOFOLLOW | linux::AT_EMPTY_PATH))
    return -EINVAL;
  NodeId id;
  if (!a.a[1]) { // futimens: the descriptor itself
    File* f = file_of(a.i(0));
    if (!f)
      return -EBADF;
    id = f->node;
  } else {
    id = resolve_at(a.i(0), a.p<const char>(1), !(flags & linux::AT_SYMLINK_NOFOLLOW),
                    flags & linux::AT_EMPTY_PATH);
  }
  return set_times(id, tp);
}

namespace {
long do_utimes(int dirfd, const char* path, const void* utv) {
  linux::timespec t[2];
  const linux::timespec* tp = nullptr;
  if (utv) {
    int64_t tv[4]; // two struct timeval
    if (copy_from_user(tv, utv, sizeof tv) < 0)
      return -EFAULT;
    if (tv[1] < 0 || tv[1] >= 1000000 || tv[3] < 0 || tv[3] >= 1000000)
      return -EINVAL;
    t[0] = {tv[0], tv[1] * 1000};
    t[1] = {tv[2], tv[3] * 1000};
    tp = t;
  }
  return set_times(resolve_at(dirfd, path, true), tp);
}
} // namespace

SyscallResult sys_utimes(const SyscallArgs& a) {
  return do_utimes(linux::AT_FDCWD, a.p<const char>(0), a.p<void>(1));
}

SyscallResult sys_futimesat(const SyscallArgs& a) {
  return do_utimes(a.i(0), a.p<const char>(1), a.p<void>(2));
}

SyscallResult sys_utime(const SyscallArgs& a) {
  linux::timespec t[2];
  const linux::timespec* tp = nullptr;
  if (a.a[1]) {
    int64_t ut[2]; // struct utimbuf: actime, modtime
    if (copy_from_user(ut, a.p<void>(1), sizeof ut) < 0)
      return -EFAULT;
    t[0] = {ut[0], 0};
    t[1] = {ut[1], 0};
    tp = t;
  }
  return set_times(resolve_at(linux::AT_FDCWD, a.p<const char>(0), true), tp);
}

namespace {

// TFS has no permissions or owners (spec §3.5): the calls succeed on existing files and
// change nothing, except on a read-only volume.
long accept_attribute(NodeId id) {
  if (id < 0)
    return id;
  if (!fs::writable() && fs::node(id)->special == fs::Special::kNone)
    return -EROFS;
  return 0;
}
} // namespace

SyscallResult sys_chmod(const SyscallArgs& a) {
  return accept_attribute(resolve_at(linux::AT_FDCWD, a.p<const char>(0), true));
}

SyscallResult sys_lchown(const SyscallArgs& a) {
  return accept_attribute(resolve_at(linux::AT_FDCWD, a.p<const char>(0), false));
}

SyscallResult sys_fchmodat(const SyscallArgs& a) {
  return accept_attribute(resolve_at(a.i(0), a.p<const char>(1), true));
}

SyscallResult sys_fchownat(const SyscallArgs& a) {
  int flags = a.i(4);
  return accept_attribute(resolve_at(a.i(0), a.p<const char>(1),
                                     !(flags & linux::AT_SYMLINK_NOFOLLOW),
                                     flags & linux::AT_EMPTY_PATH));
}

SyscallResult sys_fchmod(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  return f->node < 0 ? 0 : accept_attribute(f->node);
}

namespace {

// ---- statfs ----
struct LinuxStatfs {
  int64_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
  int32_t f_fsid[2];
  int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};
static_assert(sizeof(LinuxStatfs) == 120, "struct statfs of x86-64 Linux");

long statfs_to_user(NodeId id, void* user) {
  if (id < 0)
    return id;
  LinuxStatfs st;
  memset(&st, 0, sizeof st);
  st.f_type = 0x54465331; // "TFS1": TFS has no Linux magic number
  st.f_bsize = st.f_frsize = 4096;
  st.f_blocks = static_cast<int64_t>(fs::partition_blocks() / 8);
  uint64_t free = fs::free_space().free_blocks();
  st.f_bfree = static_cast<int64_t>(free / 8);
  // Writers leave some blocks to the log (fs/file_data.cc): not available to file data.
  st.f_bavail = static_cast<int64_t>((free > fs::kLogReserveBlocks ? free - fs::kLogReserveBlocks : 0) / 8);
  st.f_files = static_cast<int64_t>(fs::node_count());
  st.f_ffree = st.f_bfree;
  st.f_namelen = fs::kMaxNameLength;
  st.f_flags = fs::writable() ? 0 : 1; // ST_RDONLY
  return copy_to_user(user, &st, sizeof st);
}
} // namespace

SyscallResult sys_statfs(const SyscallArgs& a) {
  return statfs_to_user(resolve_at(linux::AT_FDCWD, a.p<const char>(0), true), a.p<void>(1));
}

SyscallResult sys_fstatfs(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  return statfs_to_user(f->node < 0 ? 0 : f->node, a.p<void>(1));
}

// chown and fchown accept and ignore the owner (one user), checking only what chmod checks.
SyscallResult sys_chown(const SyscallArgs& a) {
  return sys_chmod(a);
}
SyscallResult sys_fchown(const SyscallArgs& a) {
  return sys_fchmod(a);
}

} // namespace unix
