// File syscalls over the root TFS tree, the console, the synthetic devices and /proc files:
// open, read, write, seek, stat, directories, descriptors, sync. The calls that change the
// tree are in sys_fs_change.cc, path arguments in file_paths.cc, /proc content in
// proc_files.cc.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "fs/dir_ops.h"
#include "fs/file_data.h"
#include "fs/metadata_log.h"
#include "fs/tree.h"
#include "fs/volume.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "unix/device_files.h"
#include "unix/event_file.h"
#include "unix/file_ops.h"
#include "unix/file_paths.h"
#include "unix/heap_buffer.h"
#include "unix/io_vector.h"
#include "unix/linux_abi.h"
#include "unix/proc_files.h"
#include "unix/process.h"
#include "unix/syscall_handlers.h"
#include "unix/tfs_time.h"
#include "unix/tree_files.h"

namespace unix {
namespace {

uint32_t node_mode(const fs::Node* n) {
  switch (n->type) {
  case fs::NodeType::kDirectory:
    return linux::S_IFDIR | 0755;
  case fs::NodeType::kSymlink:
    return linux::S_IFLNK | 0777;
  case fs::NodeType::kCharDevice:
    return linux::S_IFCHR | 0666;
  default:
    return linux::S_IFREG | 0644;
  }
}

uint64_t node_rdev(const fs::Node* n) {
  switch (n->special) {
  case fs::Special::kNull:
    return 0x103;
  case fs::Special::kZero:
    return 0x105;
  case fs::Special::kRandom:
    return 0x109;
  default:
    return 0;
  }
}

void fill_stat(NodeId id, linux::stat* st) {
  memset(st, 0, sizeof *st);
  st->st_dev = 1;
  st->st_blksize = 4096;
  if (id < 0) { // the console: a terminal
    st->st_ino = 1;
    st->st_mode = linux::S_IFCHR | 0620;
    st->st_rdev = (136 << 8);
    st->st_nlink = 1;
    return;
  }
  const fs::Node* n = fs::node(id);
  // Hard links share one number (tools such as tar and cp -a go by it).
  st->st_ino = n->inode ? n->inode->number + 2 : static_cast<uint64_t>(id) + 2;
  st->st_mode = node_mode(n);
  st->st_nlink = n->type == fs::NodeType::kDirectory ? 2 : 1;
  if (n->inode)
    st->st_nlink = static_cast<uint64_t>(n->inode->links);
  st->st_rdev = node_rdev(n);
  st->st_size = static_cast<int64_t>(node_size(n));
  st->st_blocks = n->inode ? static_cast<int64_t>(fs::file_blocks(n->inode))
                           : (st->st_size + 511) / 512;
  if (n->inode) {
    st->st_mtim = st->st_ctim = tfs_time(n->inode->mtime);
    st->st_atim = tfs_time(n->inode->atime);
  }
}

long stat_to_user(NodeId id, linux::stat* user) {
  linux::stat st;
  fill_stat(id, &st);
  return copy_to_user(user, &st, sizeof st);
}

NodeId node_of_fd(int fd, long* err) {
  File* f = file_of(fd);
  if (!f) {
    *err = -EBADF;
    return -1;
  }
  *err = 0;
  return f->node; // -1: the console (fill_stat)
}

// ---- open/close ----
long do_open(int dirfd, const char* user_path, int flags, uint32_t mode) {
  (void)mode; // the format has no permissions (spec §3.5)
  int acc = flags & linux::O_ACCMODE;
  bool writing = acc != linux::O_RDONLY;
  bool follow = !(flags & linux::O_NOFOLLOW) && !((flags & linux::O_CREAT) && (flags & linux::O_EXCL));
  if (acc == 3)
    return -EINVAL;
  constexpr int kTmpFile = 020000000; // O_TMPFILE without its O_DIRECTORY bit
  if (flags & kTmpFile)
    return -EOPNOTSUPP; // unnamed files are not done; programs fall back to named ones
  NodeId id = resolve_at(dirfd, user_path, follow);
  if (id == -ENOENT && (flags & linux::O_CREAT)) {
    char name[kNameBuffer];
    NodeId dir = resolve_parent(dirfd, user_path, name);
    if (dir < 0)
      return dir;
    if (is_dot_name(name))
      return -EISDIR;
    if (fs::node(dir)->removed && dir != 0)
      return -ENOENT;
    id = fs::create_file(static_cast<int32_t>(dir), name);
    if (id < 0)
      return id;
  } else if (id < 0) {
    return id;
  } else if ((flags & linux::O_CREAT) && (flags & linux::O_EXCL)) {
    return -EEXIST;
  }
  fs::Node* n = fs::node(id);
  if (n->type == fs::NodeType::kSymlink)
    return flags & linux::O_PATH ? -EINVAL : -ELOOP; // O_NOFOLLOW on a link
  if ((flags & linux::O_DIRECTORY) && n->type != fs::NodeType::kDirectory)
    return -ENOTDIR;
  const FileOps* ops;
  char* data = nullptr;
  size_t data_len = 0;
  switch (n->type) {
  case fs::NodeType::kDirectory:
    if (writing || (flags & linux::O_CREAT))
      return -EISDIR;
    ops = &kDirectoryOps;
    if (n->special == fs::Special::kProcFd)
      refresh_fd_dir();
    break;
  case fs::NodeType::kCharDevice:
    if (n->special == fs::Special::kTty)
      return -ENXIO; // no controlling terminal
    ops = n->special == fs::Special::kNull   ? &kNullOps
          : n->special == fs::Special::kZero ? &kZeroOps
                                             : &kRandomOps;
    break;
  default:
    if (n->special != fs::Special::kNone) {
      if (writing)
        return -EACCES;
      ops = &kSnapshotOps;
      if (n->special == fs::Special::kProcMaps)
        data = render_maps(&data_len);
      else if (n->special == fs::Special::kProcMeminfo)
        data = render_meminfo(&data_len);
      else if (n->special == fs::Special::kProcCpuinfo)
        data = render_cpuinfo(&data_len);
      else
        data = kstrndup(n->link_target, data_len = strlen(n->link_target));
      if (!data)
        return -ENOMEM;
    } else {
      if ((writing || (flags & linux::O_TRUNC)) && !fs::writable())
        return -EROFS;
      if (!n->inode)
        return -EIO;
      if ((flags & linux::O_TRUNC) && writing) {
        int r = fs::truncate_file(n->inode, 0);
        if (r < 0)
          return r;
      }
      ops = &kRegularFileOps;
    }
    break;
  }
  File* f = new_file(*ops, id, flags & ~(linux::O_CREAT | linux::O_EXCL | linux::O_CLOEXEC |
                                         linux::O_TRUNC | linux::O_NOFOLLOW));
  if (!f) {
    kfree(data);
    return -ENOMEM;
  }
  f->data = data;
  f->data_len = data_len;
  n = fs::node(id);
  if (ops == &kDirectoryOps)
    f->cursor = n->first_child;
  if (ops == &kRegularFileOps)
    fs::file_opened(n->inode);
  int fd = process().files.install(f, flags & linux::O_CLOEXEC);
  if (fd < 0)
    release_file(f);
  return fd;
}

} // namespace

SyscallResult sys_open(const SyscallArgs& a) {
  return do_open(linux::AT_FDCWD, a.p<const char>(0), a.i(1), static_cast<uint32_t>(a.u(2)));
}

SyscallResult sys_openat(const SyscallArgs& a) {
  return do_open(a.i(0), a.p<const char>(1), a.i(2), static_cast<uint32_t>(a.u(3)));
}

SyscallResult sys_creat(const SyscallArgs& a) {
  return do_open(linux::AT_FDCWD, a.p<const char>(0),
                 linux::O_CREAT | linux::O_WRONLY | linux::O_TRUNC, static_cast<uint32_t>(a.u(1)));
}

SyscallResult sys_close(const SyscallArgs& a) {
  return process().files.close(a.i(0));
}

// ---- read/write: through the file's operations (file_ops.h) ----
namespace {

ErrorOr<long> as_result(ErrorOr<size_t> r) {
  return static_cast<long>(TRY(r));
}

} // namespace

// Blocking calls hold a reference to their file (FileRef): another thread may close the
// descriptor while this one waits in a pipe, socket or eventfd read.
SyscallResult sys_read(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  FileRef hold(f);
  return as_result(file_read(*f, a.user<uint8_t>(1), a.u(2)));
}

SyscallResult sys_write(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  FileRef hold(f);
  return as_result(file_write(*f, a.user<const uint8_t>(1), a.u(2)));
}

SyscallResult sys_pread64(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  FileRef hold(f);
  return as_result(file_pread(*f, a.user<uint8_t>(1), a.u(2), a.a[3]));
}

// Linux: pwrite on an O_APPEND file appends (and leaves the offset alone).
SyscallResult sys_pwrite64(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  FileRef hold(f);
  return as_result(file_pwrite(*f, a.user<const uint8_t>(1), a.u(2), a.a[3]));
}

namespace {

template <bool kWrite> SyscallResult vector_io(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  FileRef hold(f);
  UserIoVector io;
  TRY(io.fetch(a.user<const linux::iovec>(1), a.a[2]));
  return as_result(kWrite ? file_writev(*f, io.vector()) : file_readv(*f, io.vector()));
}

} // namespace

SyscallResult sys_lseek(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  uint64_t at = TRY(file_seek(*f, a.a[1], a.i(2)));
  return static_cast<long>(at);
}

namespace {

// ---- metadata ----
// Pipes, eventfds, sockets... have no tree node: their stat comes from the file itself.
bool has_no_node(const File* f) {
  return f && f->ops->mode != 0;
}
bool stat_of_object(const File* f, linux::stat* st) {
  if (!has_no_node(f))
    return false;
  memset(st, 0, sizeof *st);
  st->st_ino = reinterpret_cast<uint64_t>(f->object) & 0xFFFFFFFF;
  st->st_mode = f->ops->mode;
  st->st_nlink = 1;
  st->st_blksize = 4096;
  return true;
}

} // namespace

SyscallResult sys_fstat(const SyscallArgs& a) {
  linux::stat st;
  if (stat_of_object(file_of(a.i(0)), &st))
    return copy_to_user(a.p<void>(1), &st, sizeof st);
  long err;
  NodeId id = node_of_fd(a.i(0), &err);
  return err ? err : stat_to_user(id, a.p<linux::stat>(1));
}

SyscallResult sys_stat(const SyscallArgs& a) {
  NodeId id = resolve_at(linux::AT_FDCWD, a.p<const char>(0), true);
  return id < 0 ? id : stat_to_user(id, a.p<linux::stat>(1));
}

SyscallResult sys_lstat(const SyscallArgs& a) {
  NodeId id = resolve_at(linux::AT_FDCWD, a.p<const char>(0), false);
  return id < 0 ? id : stat_to_user(id, a.p<linux::stat>(1));
}

namespace {
// resolve_stat_target's answer for a descriptor with no tree node (pipe, eventfd).
constexpr long kStatOfObject = 1;
// Resolves for newfstatat/statx: AT_EMPTY_PATH allows "" meaning dirfd itself.
NodeId resolve_stat_target(int dirfd, const char* path, int flags, long* err) {
  *err = 0;
  bool empty_ok = flags & linux::AT_EMPTY_PATH;
  if (empty_ok) {
    long n = fetch_path(path, true);
    if (n < 0) {
      *err = n;
      return -1;
    }
    if (n == 0) {
      if (dirfd == linux::AT_FDCWD)
        return process().cwd;
      if (has_no_node(file_of(dirfd))) {
        *err = kStatOfObject;
        return -1;
      }
      return node_of_fd(dirfd, err);
    }
  }
  NodeId id = resolve_at(dirfd, path, !(flags & linux::AT_SYMLINK_NOFOLLOW));
  if (id < 0)
    *err = id;
  return id;
}
} // namespace

SyscallResult sys_newfstatat(const SyscallArgs& a) {
  long err;
  NodeId id = resolve_stat_target(a.i(0), a.p<const char>(1), a.i(3), &err);
  if (err == kStatOfObject) {
    linux::stat st;
    stat_of_object(file_of(a.i(0)), &st);
    return copy_to_user(a.p<void>(2), &st, sizeof st);
  }
  return err ? err : stat_to_user(id, a.p<linux::stat>(2));
}

SyscallResult sys_statx(const SyscallArgs& a) {
  long err;
  NodeId id = resolve_stat_target(a.i(0), a.p<const char>(1), a.i(2), &err);
  linux::stat st;
  if (err == kStatOfObject)
    stat_of_object(file_of(a.i(0)), &st);
  else if (err)
    return err;
  else
    fill_stat(id, &st);
  linux::statx sx;
  memset(&sx, 0, sizeof sx);
  sx.stx_mask = 0x7FF; // STATX_BASIC_STATS
  sx.stx_blksize = static_cast<uint32_t>(st.st_blksize);
  sx.stx_nlink = static_cast<uint32_t>(st.st_nlink);
  sx.stx_mode = static_cast<uint16_t>(st.st_mode);
  sx.stx_ino = st.st_ino;
  sx.stx_size = static_cast<uint64_t>(st.st_size);
  sx.stx_blocks = static_cast<uint64_t>(st.st_blocks);
  sx.stx_atime = {st.st_atim.tv_sec, static_cast<uint32_t>(st.st_atim.tv_nsec), 0};
  sx.stx_mtime = {st.st_mtim.tv_sec, static_cast<uint32_t>(st.st_mtim.tv_nsec), 0};
  sx.stx_ctime = sx.stx_mtime;
  sx.stx_rdev_major = static_cast<uint32_t>(st.st_rdev >> 8);
  sx.stx_rdev_minor = static_cast<uint32_t>(st.st_rdev & 0xFF);
  sx.stx_dev_minor = 1;
  return copy_to_user(a.p<void>(4), &sx, sizeof sx);
}

namespace {

long do_access(int dirfd, const char* path, int mode, int flags) {
  if (mode & ~7)
    return -EINVAL;
  NodeId id = resolve_at(dirfd, path, !(flags & linux::AT_SYMLINK_NOFOLLOW));
  if (id < 0)
    return id;
  const fs::Node* n = fs::node(id);
  if ((mode & 2) && n->type != fs::NodeType::kCharDevice &&
      (!fs::writable() || n->special != fs::Special::kNone))
    return n->special != fs::Special::kNone ? -EACCES : -EROFS;
  return 0;
}
} // namespace

SyscallResult sys_access(const SyscallArgs& a) {
  return do_access(linux::AT_FDCWD, a.p<const char>(0), a.i(1), 0);
}

SyscallResult sys_faccessat(const SyscallArgs& a) {
  return do_access(a.i(0), a.p<const char>(1), a.i(2), 0);
}

SyscallResult sys_faccessat2(const SyscallArgs& a) {
  return do_access(a.i(0), a.p<const char>(1), a.i(2), a.i(3));
}

namespace {

long do_readlink(int dirfd, const char* path, char* ubuf, long size) {
  if (size <= 0)
    return -EINVAL;
  NodeId id = resolve_at(dirfd, path, false);
  if (id < 0)
    return id;
  const fs::Node* n = fs::node(id);
  if (n->type != fs::NodeType::kSymlink)
    return -EINVAL;
  size_t len = strlen(n->link_target);
  if (len > static_cast<size_t>(size))
    len = static_cast<size_t>(size);
  return copy_to_user(ubuf, n->link_target, len) < 0 ? -EFAULT : static_cast<long>(len);
}
} // namespace

SyscallResult sys_readlink(const SyscallArgs& a) {
  return do_readlink(linux::AT_FDCWD, a.p<const char>(0), a.p<char>(1), a.a[2]);
}

SyscallResult sys_readlinkat(const SyscallArgs& a) {
  return do_readlink(a.i(0), a.p<const char>(1), a.p<char>(2), a.a[3]);
}

namespace {

// ---- directories ----
uint8_t dirent_type(const fs::Node* n) {
  switch (n->type) {
  case fs::NodeType::kDirectory:
    return linux::DT_DIR;
  case fs::NodeType::kSymlink:
    return linux::DT_LNK;
  case fs::NodeType::kCharDevice:
    return linux::DT_CHR;
  default:
    return linux::DT_REG;
  }
}

} // namespace

SyscallResult sys_getdents64(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  if (f->kind != FileKind::kDirectory)
    return -ENOTDIR;
  uint8_t* ubuf = a.p<uint8_t>(1);
  size_t size = a.u(2);
  size_t used = 0;
  const fs::Node* dir = fs::node(f->node);
  while (true) {
    const char* name;
    NodeId ino;
    uint8_t type = linux::DT_DIR;
    if (f->offset == 0) {
      name = ".";
      ino = f->node;
    } else if (f->offset == 1) {
      name = "..";
      ino = dir->parent;
    } else if (f->cursor >= 0) {
      const fs::Node* c = fs::node(f->cursor);
      name = c->name;
      ino = f->cursor;
      type = dirent_type(c);
    } else {
      break;
    }
    size_t namelen = strlen(name);
    size_t reclen = (19 + namelen + 1 + 7) & ~static_cast<size_t>(7);
    if (used + reclen > size) {
      if (used == 0)
        return -EINVAL;
      break;
    }
    uint8_t rec[19 + 256 + 8];
    if (reclen > sizeof rec)
      reclen = sizeof rec, namelen = sizeof rec - 20;
    memset(rec, 0, reclen);
    uint64_t d_ino = static_cast<uint64_t>(ino) + 2;
    int64_t d_off = static_cast<int64_t>(f->offset + 1);
    auto rl = static_cast<uint16_t>(reclen);
    memcpy(rec, &d_ino, 8);
    memcpy(rec + 8, &d_off, 8);
    memcpy(rec + 16, &rl, 2);
    rec[18] = type;
    memcpy(rec + 19, name, namelen);
    if (copy_to_user(ubuf + used, rec, reclen) < 0)
      return -EFAULT;
    used += reclen;
    if (f->offset >= 2)
      f->cursor = fs::node(f->cursor)->next_sibling;
    ++f->offset;
  }
  return static_cast<long>(used);
}

SyscallResult sys_getcwd(const SyscallArgs& a) {
  HeapBuffer path(kMaxPathLength);
  if (!path.ok())
    return Err(-ENOMEM);
  char* buf = path.data();
  long n = fs::node_path(process().cwd, buf, path.size());
  if (n < 0)
    return n;
  if (static_cast<uint64_t>(n) + 1 > a.u(1))
    return -ERANGE;
  return copy_to_user(a.p<char>(0), buf, static_cast<size_t>(n) + 1) < 0 ? -EFAULT : n + 1;
}

namespace {
long change_dir(NodeId id) {
  if (id < 0)
    return id;
  if (fs::node(id)->type != fs::NodeType::kDirectory)
    return -ENOTDIR;
  process().cwd = id;
  return 0;
}
} // namespace

SyscallResult sys_chdir(const SyscallArgs& a) {
  return change_dir(resolve_at(linux::AT_FDCWD, a.p<const char>(0), true));
}

SyscallResult sys_fchdir(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  return change_dir(f->node);
}

// ---- descriptors ----
SyscallResult sys_dup(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  ++f->refs;
  int fd = process().files.install(f, false);
  if (fd < 0)
    release_file(f);
  return fd;
}

SyscallResult sys_dup2(const SyscallArgs& a) {
  if (!file_of(a.i(0)))
    return -EBADF;
  return process().files.dup_to(a.i(0), a.i(1), false);
}

SyscallResult sys_dup3(const SyscallArgs& a) {
  if (a.i(0) == a.i(1) || (a.i(2) & ~linux::O_CLOEXEC))
    return -EINVAL;
  return process().files.dup_to(a.i(0), a.i(1), a.i(2) & linux::O_CLOEXEC);
}

SyscallResult sys_fcntl(const SyscallArgs& a) {
  int fd = a.i(0);
  File* f = file_of(fd);
  if (!f)
    return -EBADF;
  FdTable& t = process().files;
  switch (a.i(1)) {
  case 0:    // F_DUPFD
  case 1030: { // F_DUPFD_CLOEXEC
    ++f->refs;
    int r = t.install(f, a.i(1) == 1030, a.i(2));
    if (r < 0)
      release_file(f);
    return r;
  }
  case 1: // F_GETFD
    return t.cloexec(fd) ? 1 : 0;
  case 2: // F_SETFD
    t.set_cloexec(fd, a.i(2) & 1);
    return 0;
  case 3: // F_GETFL
    return f->flags;
  case 4: // F_SETFL: only O_APPEND and O_NONBLOCK change
    f->flags = (f->flags & ~(linux::O_APPEND | linux::O_NONBLOCK)) |
               (a.i(2) & (linux::O_APPEND | linux::O_NONBLOCK));
    return 0;
  case 5: { // F_GETLK: one process, so nothing ever conflicts
    int16_t unlocked = 2; // F_UNLCK
    return copy_to_user(a.p<void>(2), &unlocked, sizeof unlocked);
  }
  case 6: // F_SETLK
  case 7: // F_SETLKW
    return 0;
  default:
    return -EINVAL;
  }
}

SyscallResult sys_ioctl(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  unsigned long req = a.u(1);
  if (req == 0x5451 || req == 0x5450) { // FIOCLEX, FIONCLEX
    process().files.set_cloexec(a.i(0), req == 0x5451);
    return 0;
  }
  if (req == 0x5421) { // FIONBIO: the same switch as fcntl(F_SETFL, O_NONBLOCK)
    int on;
    if (copy_from_user(&on, a.p<const void>(2), sizeof on) < 0)
      return -EFAULT;
    f->flags = on ? f->flags | linux::O_NONBLOCK : f->flags & ~linux::O_NONBLOCK;
    return 0;
  }
  return file_ioctl(*f, req, a.u(2)); // -ENOTTY unless the file's kind has it
}

SyscallResult sys_fsync(const SyscallArgs& a) {
  if (!file_of(a.i(0)))
    return -EBADF;
  Status s = fs::log::flush();
  return s.ok() ? 0 : s.error();
}

SyscallResult sys_sync(const SyscallArgs&) {
  (void)fs::log::flush();
  return 0;
}

namespace {
// Extended attributes: the filesystem has none (after the path or descriptor checks).
long sys_path_xattr(const SyscallArgs& a) {
  NodeId id = resolve_at(linux::AT_FDCWD, a.p<const char>(0), true);
  return id < 0 ? id : -EOPNOTSUPP;
}
long sys_lpath_xattr(const SyscallArgs& a) {
  NodeId id = resolve_at(linux::AT_FDCWD, a.p<const char>(0), false);
  return id < 0 ? id : -EOPNOTSUPP;
}
long sys_fd_xattr(const SyscallArgs& a) {
  return file_of(a.i(0)) ? -EOPNOTSUPP : -EBADF;
}
} // namespace

SyscallResult sys_fadvise64(const SyscallArgs& a) {
  return file_of(a.i(0)) ? 0 : -EBADF;
}

SyscallResult sys_umask(const SyscallArgs& a) {
  static uint32_t mask = 022;
  uint32_t old = mask;
  mask = static_cast<uint32_t>(a.u(0)) & 0777;
  return old;
}

void init_file_syscalls() {
  fs::set_fd_dir_refresh(refresh_fd_dir);
}

SyscallResult sys_readv(const SyscallArgs& a) {
  return vector_io<false>(a);
}
SyscallResult sys_writev(const SyscallArgs& a) {
  return vector_io<true>(a);
}
// Every write already reaches the disk before returning, so the sync family only checks fd.
SyscallResult sys_fdatasync(const SyscallArgs& a) {
  return sys_fsync(a);
}
SyscallResult sys_sync_file_range(const SyscallArgs& a) {
  return sys_fsync(a);
}
SyscallResult sys_syncfs(const SyscallArgs& a) {
  return sys_fsync(a);
}
SyscallResult sys_getxattr(const SyscallArgs& a) {
  return sys_path_xattr(a);
}
SyscallResult sys_listxattr(const SyscallArgs& a) {
  return sys_path_xattr(a);
}
SyscallResult sys_lgetxattr(const SyscallArgs& a) {
  return sys_lpath_xattr(a);
}
SyscallResult sys_llistxattr(const SyscallArgs& a) {
  return sys_lpath_xattr(a);
}
SyscallResult sys_fgetxattr(const SyscallArgs& a) {
  return sys_fd_xattr(a);
}
SyscallResult sys_flistxattr(const SyscallArgs& a) {
  return sys_fd_xattr(a);
}

} // namespace unix
