// The syscalls that change the root filesystem's tree and files (mkdir, unlink, rename,
// symlink, link, truncate, fallocate, times, chmod/chown) and statfs.
#include "arch/x86_64/usercopy.h"
#include "fs/dir_ops.h"
#include "fs/file_data.h"
#include "fs/fs_lock.h"
#include "fs/metadata_log.h"
#include "fs/tree.h"
#include "fs/volume.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "unix/fd/memfd.h"
#include "unix/fd/shm_files.h"
#include "unix/fs/file_paths.h"
#include "unix/syscall/linux_abi.h"
#include "unix/process/process.h"
#include "unix/syscall/syscall_handlers.h"
#include "unix/fs/tfs_time.h"

namespace unix {
namespace {

// ---- changing the tree ----
constexpr int kRenameNoReplace = 1;
constexpr int kFallocKeepSize = 1;
constexpr int kAtSymlinkFollow = 0x400;
constexpr int64_t kUtimeNow = (1l << 30) - 1, kUtimeOmit = (1l << 30) - 2;

using UserPath = UserPtr<const char>;

int32_t dir_index(NodeId dir) {
  return static_cast<int32_t>(dir);
}

SyscallResult do_mkdir(int dirfd, UserPath path) {
  char name[kNameBuffer];
  NodeId dir = TRY(resolve_user_parent(dirfd, path, name));
  if (is_dot_name(name))
    return Err(-EEXIST);
  TRY(errno_result(fs::make_directory(dir_index(dir), name)));
  return 0;
}

} // namespace

SyscallResult sys_mkdir(const SyscallArgs& a) {
  return do_mkdir(linux::AT_FDCWD, a.user<const char>(0));
}

SyscallResult sys_mkdirat(const SyscallArgs& a) {
  return do_mkdir(a.i(0), a.user<const char>(1));
}

namespace {

SyscallResult do_unlink(int dirfd, UserPath path, bool directory) {
  char name[kNameBuffer];
  if (!directory && TRY(user_shm_name(path, name))) // /dev/shm/NAME (shm_files.h)
    return shm_unlink_name(name);
  auto dir = resolve_user_parent(dirfd, path, name);
  if (!dir.ok()) // "/" gives -EEXIST from the split
    return Err(dir.error() == -EEXIST ? (directory ? -EBUSY : -EISDIR) : dir.error());
  if (strcmp(name, ".") == 0)
    return Err(directory ? -EINVAL : -EISDIR);
  if (strcmp(name, "..") == 0)
    return Err(directory ? -ENOTEMPTY : -EISDIR);
  return errno_result(fs::remove_entry(dir_index(*dir), name, directory));
}

} // namespace

SyscallResult sys_unlink(const SyscallArgs& a) {
  return do_unlink(linux::AT_FDCWD, a.user<const char>(0), false);
}

SyscallResult sys_rmdir(const SyscallArgs& a) {
  return do_unlink(linux::AT_FDCWD, a.user<const char>(0), true);
}

SyscallResult sys_unlinkat(const SyscallArgs& a) {
  if (a.i(2) & ~linux::AT_REMOVEDIR)
    return Err(-EINVAL);
  return do_unlink(a.i(0), a.user<const char>(1), a.i(2) & linux::AT_REMOVEDIR);
}

namespace {

// The directory of a rename's source or destination and its last name ("/", "." and ".."
// are busy).
ErrorOr<NodeId> rename_side(int dirfd, UserPath path, char name[kNameBuffer]) {
  auto dir = resolve_user_parent(dirfd, path, name);
  if (!dir.ok())
    return Err(dir.error() == -EEXIST ? -EBUSY : dir.error());
  if (is_dot_name(name))
    return Err(-EBUSY);
  return *dir;
}

SyscallResult do_rename(int olddirfd, UserPath oldpath, int newdirfd, UserPath newpath,
                        int flags) {
  // RENAME_EXCHANGE and RENAME_WHITEOUT are not done (EINVAL, as filesystems without them).
  if (flags & ~kRenameNoReplace)
    return Err(-EINVAL);
  char old_name[kNameBuffer], new_name[kNameBuffer];
  NodeId odir = TRY(rename_side(olddirfd, oldpath, old_name));
  NodeId ndir = TRY(rename_side(newdirfd, newpath, new_name));
  return errno_result(fs::rename_entry(dir_index(odir), old_name, dir_index(ndir), new_name,
                                       flags & kRenameNoReplace));
}

} // namespace

SyscallResult sys_rename(const SyscallArgs& a) {
  return do_rename(linux::AT_FDCWD, a.user<const char>(0), linux::AT_FDCWD,
                   a.user<const char>(1), 0);
}

SyscallResult sys_renameat(const SyscallArgs& a) {
  return do_rename(a.i(0), a.user<const char>(1), a.i(2), a.user<const char>(3), 0);
}

SyscallResult sys_renameat2(const SyscallArgs& a) {
  return do_rename(a.i(0), a.user<const char>(1), a.i(2), a.user<const char>(3), a.i(4));
}

namespace {

SyscallResult do_symlink(UserPath utarget, int dirfd, UserPath path) {
  PathBuffer target;
  TRY(copy_path_from_user(target, utarget));
  char name[kNameBuffer];
  NodeId dir = TRY(resolve_user_parent(dirfd, path, name));
  if (is_dot_name(name))
    return Err(-EEXIST);
  TRY(errno_result(fs::make_symlink(dir_index(dir), name, target.data())));
  return 0;
}

} // namespace

SyscallResult sys_symlink(const SyscallArgs& a) {
  return do_symlink(a.user<const char>(0), linux::AT_FDCWD, a.user<const char>(1));
}

SyscallResult sys_symlinkat(const SyscallArgs& a) {
  return do_symlink(a.user<const char>(0), a.i(1), a.user<const char>(2));
}

namespace {

SyscallResult do_link(int olddirfd, UserPath oldpath, int newdirfd, UserPath newpath,
                      int flags) {
  if (flags & ~(kAtSymlinkFollow | linux::AT_EMPTY_PATH))
    return Err(-EINVAL);
  // /dev/shm is a file system of its own (shm_files.h): links stay inside it.
  char from[kNameBuffer], to[kNameBuffer];
  bool shm_from = TRY(user_shm_name(oldpath, from)), shm_to = TRY(user_shm_name(newpath, to));
  if (shm_from && shm_to)
    return shm_link_names(from, to);
  if (shm_from || shm_to)
    return Err(-EXDEV);
  NodeId target = TRY(resolve_user_path(olddirfd, oldpath, flags & kAtSymlinkFollow,
                                        flags & linux::AT_EMPTY_PATH));
  char name[kNameBuffer];
  NodeId dir = TRY(resolve_user_parent(newdirfd, newpath, name));
  if (is_dot_name(name))
    return Err(-EEXIST);
  TRY(errno_result(fs::make_hard_link(dir_index(dir), name, dir_index(target))));
  return 0;
}

} // namespace

SyscallResult sys_link(const SyscallArgs& a) {
  return do_link(linux::AT_FDCWD, a.user<const char>(0), linux::AT_FDCWD, a.user<const char>(1),
                 0);
}

SyscallResult sys_linkat(const SyscallArgs& a) {
  return do_link(a.i(0), a.user<const char>(1), a.i(2), a.user<const char>(3), a.i(4));
}

namespace {

// ---- sizes ----
SyscallResult truncate_node(NodeId id, int64_t length) {
  if (length < 0)
    return Err(-EINVAL);
  fs::Node* n = fs::node(id);
  if (n->type == fs::NodeType::kDirectory)
    return Err(-EISDIR);
  if (n->type != fs::NodeType::kFile || n->special != fs::Special::kNone || !n->inode)
    return Err(-EINVAL);
  if (!fs::writable())
    return Err(-EROFS);
  if (static_cast<uint64_t>(length) > (1ull << 44))
    return Err(-EFBIG);
  fs::FsLocked locked; // the mtime store and the truncate reach the log together
  TRY(errno_result(fs::truncate_file(n->inode, static_cast<uint64_t>(length))));
  n->inode->mtime = tfs_now();
  n->inode->times_dirty = true;
  return 0;
}

// The descriptor's file, or -EBADF.
ErrorOr<File*> open_file(int fd) {
  File* f = file_of(fd);
  if (!f)
    return Err(-EBADF);
  return f;
}

} // namespace

SyscallResult sys_truncate(const SyscallArgs& a) {
  return truncate_node(TRY(resolve_user_path(linux::AT_FDCWD, a.user<const char>(0), true)),
                       a.s(1));
}

SyscallResult sys_ftruncate(const SyscallArgs& a) {
  File* f = TRY(open_file(a.i(0)));
  if (Memfd* m = memfd_of(*f)) {
    if (a.s(1) < 0)
      return Err(-EINVAL);
    TRY(memfd_truncate(m, static_cast<uint64_t>(a.s(1))));
    return 0L;
  }
  if (f->kind != FileKind::kRegular || (f->flags & linux::O_ACCMODE) == linux::O_RDONLY)
    return Err(-EINVAL);
  return truncate_node(f->node, a.s(1));
}

SyscallResult sys_fallocate(const SyscallArgs& a) {
  File* f = TRY(open_file(a.i(0)));
  int mode = a.i(1);
  int64_t off = a.s(2), len = a.s(3);
  if (off < 0 || len <= 0)
    return Err(-EINVAL);
  if (mode & ~kFallocKeepSize)
    return Err(-EOPNOTSUPP); // punching holes, collapsing, zeroing ranges: not done here
  if (f->kind != FileKind::kRegular)
    return Err(f->kind == FileKind::kDirectory ? -EISDIR : -ENODEV);
  if ((f->flags & linux::O_ACCMODE) == linux::O_RDONLY)
    return Err(-EBADF);
  if (!fs::writable())
    return Err(-EROFS);
  if (static_cast<uint64_t>(off) + static_cast<uint64_t>(len) > (1ull << 44))
    return Err(-EFBIG);
  return errno_result(fs::allocate_file(fs::node(f->node)->inode, static_cast<uint64_t>(off),
                                        static_cast<uint64_t>(len), mode & kFallocKeepSize));
}

namespace {

// ---- times, permissions, owners ----
// Times are kept for regular files (TFS mtime/atime); directories and links accept the
// call and keep nothing. `t` null means "now" for both.
SyscallResult set_times(NodeId id, const linux::timespec* t) {
  fs::Node* n = fs::node(id);
  if (!n->inode) {
    if (fs::writable() || n->special != fs::Special::kNone)
      return 0;
    return Err(-EROFS);
  }
  if (!fs::writable())
    return Err(-EROFS);
  // A flush sleeping in the middle of this inode's record would clear times_dirty after
  // we set it, and the new times would never reach the log.
  fs::FsLocked locked;
  uint64_t now = tfs_now();
  for (int i = 0; i < 2; ++i) {
    if (t && t[i].tv_nsec == kUtimeOmit)
      continue;
    if (t && t[i].tv_nsec != kUtimeNow && (t[i].tv_nsec < 0 || t[i].tv_nsec >= 1000000000))
      return Err(-EINVAL);
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
  auto times = a.user<linux::timespec>(2);
  if (!times.is_null()) {
    TRY(copy_from_user(t, times, 2));
    tp = t;
  }
  int flags = a.i(3);
  if (flags & ~(linux::AT_SYMLINK_NOFOLLOW | linux::AT_EMPTY_PATH))
    return Err(-EINVAL);
  auto path = a.user<const char>(1);
  NodeId id;
  if (path.is_null()) // futimens: the descriptor itself
    id = TRY(open_file(a.i(0)))->node;
  else
    id = TRY(resolve_user_path(a.i(0), path, !(flags & linux::AT_SYMLINK_NOFOLLOW),
                               flags & linux::AT_EMPTY_PATH));
  if (id < 0)
    return Err(static_cast<int>(id)); // a descriptor without a node (as before: its -errno)
  return set_times(id, tp);
}

namespace {

struct LinuxTimeval {
  int64_t tv_sec, tv_usec;
};

SyscallResult do_utimes(int dirfd, UserPath path, UserPtr<LinuxTimeval> utv) {
  linux::timespec t[2];
  const linux::timespec* tp = nullptr;
  if (!utv.is_null()) {
    LinuxTimeval tv[2];
    TRY(copy_from_user(tv, utv, 2));
    for (int i = 0; i < 2; ++i) {
      if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
        return Err(-EINVAL);
      t[i] = {tv[i].tv_sec, tv[i].tv_usec * 1000};
    }
    tp = t;
  }
  return set_times(TRY(resolve_user_path(dirfd, path, true)), tp);
}

} // namespace

SyscallResult sys_utimes(const SyscallArgs& a) {
  return do_utimes(linux::AT_FDCWD, a.user<const char>(0), a.user<LinuxTimeval>(1));
}

SyscallResult sys_futimesat(const SyscallArgs& a) {
  return do_utimes(a.i(0), a.user<const char>(1), a.user<LinuxTimeval>(2));
}

SyscallResult sys_utime(const SyscallArgs& a) {
  struct LinuxUtimbuf {
    int64_t actime, modtime;
  };
  linux::timespec t[2];
  const linux::timespec* tp = nullptr;
  auto times = a.user<LinuxUtimbuf>(1);
  if (!times.is_null()) {
    LinuxUtimbuf ut = TRY(copy_from_user(times));
    t[0] = {ut.actime, 0};
    t[1] = {ut.modtime, 0};
    tp = t;
  }
  return set_times(TRY(resolve_user_path(linux::AT_FDCWD, a.user<const char>(0), true)), tp);
}

namespace {

// TFS has no permissions or owners (spec §3.5): the calls succeed on existing files and
// change nothing, except on a read-only volume.
SyscallResult accept_attribute(NodeId id) {
  if (!fs::writable() && fs::node(id)->special == fs::Special::kNone)
    return Err(-EROFS);
  return 0;
}

} // namespace

SyscallResult sys_chmod(const SyscallArgs& a) {
  return accept_attribute(TRY(resolve_user_path(linux::AT_FDCWD, a.user<const char>(0), true)));
}

SyscallResult sys_lchown(const SyscallArgs& a) {
  return accept_attribute(TRY(resolve_user_path(linux::AT_FDCWD, a.user<const char>(0), false)));
}

SyscallResult sys_fchmodat(const SyscallArgs& a) {
  return accept_attribute(TRY(resolve_user_path(a.i(0), a.user<const char>(1), true)));
}

SyscallResult sys_fchownat(const SyscallArgs& a) {
  int flags = a.i(4);
  return accept_attribute(TRY(resolve_user_path(a.i(0), a.user<const char>(1),
                                                !(flags & linux::AT_SYMLINK_NOFOLLOW),
                                                flags & linux::AT_EMPTY_PATH)));
}

SyscallResult sys_fchmod(const SyscallArgs& a) {
  File* f = TRY(open_file(a.i(0)));
  return f->node < 0 ? 0 : accept_attribute(f->node);
}

// chown and fchown accept and ignore the owner (one user), checking only what chmod checks.
SyscallResult sys_chown(const SyscallArgs& a) {
  return sys_chmod(a);
}

SyscallResult sys_fchown(const SyscallArgs& a) {
  return sys_fchmod(a);
}

namespace {

// ---- statfs ----
struct LinuxStatfs {
  int64_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
  int32_t f_fsid[2];
  int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};
static_assert(sizeof(LinuxStatfs) == 120, "struct statfs of x86-64 Linux");

SyscallResult statfs_to_user(UserPtr<LinuxStatfs> user) {
  LinuxStatfs st;
  memset(&st, 0, sizeof st);
  st.f_type = 0x54465331; // "TFS1": TFS has no Linux magic number
  st.f_bsize = st.f_frsize = 4096;
  st.f_blocks = static_cast<int64_t>(fs::partition_blocks() / 8);
  uint64_t free = fs::free_space().free_blocks();
  st.f_bfree = static_cast<int64_t>(free / 8);
  // Writers leave some blocks to the log (fs/file_data.cc): not available to file data.
  uint64_t available = free > fs::kLogReserveBlocks ? free - fs::kLogReserveBlocks : 0;
  st.f_bavail = static_cast<int64_t>(available / 8);
  st.f_files = static_cast<int64_t>(fs::node_count());
  st.f_ffree = st.f_bfree;
  st.f_namelen = fs::kMaxNameLength;
  st.f_flags = fs::writable() ? 0 : 1; // ST_RDONLY
  TRY(copy_to_user(user, &st));
  return 0;
}

} // namespace

SyscallResult sys_statfs(const SyscallArgs& a) {
  TRY(resolve_user_path(linux::AT_FDCWD, a.user<const char>(0), true));
  return statfs_to_user(a.user<LinuxStatfs>(1));
}

SyscallResult sys_fstatfs(const SyscallArgs& a) {
  TRY(open_file(a.i(0)));
  return statfs_to_user(a.user<LinuxStatfs>(1));
}

} // namespace unix
