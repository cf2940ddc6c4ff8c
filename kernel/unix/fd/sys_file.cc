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
#include "unix/fd/device_files.h"
#include "unix/fd/event_file.h"
#include "unix/fd/file_ops.h"
#include "unix/fd/memfd.h"
#include "unix/fd/shm_files.h"
#include "unix/socket/socket.h"
#include "unix/fs/file_paths.h"
#include "unix/syscall/heap_buffer.h"
#include "unix/fd/io_vector.h"
#include "unix/syscall/linux_abi.h"
#include "unix/fs/proc_files.h"
#include "unix/process/process.h"
#include "unix/syscall/syscall_handlers.h"
#include "unix/fs/tfs_time.h"
#include "unix/fd/tree_files.h"

namespace unix {
namespace {

constexpr uint32_t kModeSocketNode = 0140000 | 0755; // S_IFSOCK, 0777 less the umask

uint32_t node_mode(const fs::Node* n) {
  switch (n->type) {
  case fs::NodeType::kDirectory:
    return linux::S_IFDIR | 0755;
  case fs::NodeType::kSymlink:
    return linux::S_IFLNK | 0777;
  case fs::NodeType::kCharDevice:
    return linux::S_IFCHR | 0666;
  case fs::NodeType::kSocket:
    return kModeSocketNode;
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

// fstat's answer for an open file: its tree node's, the console's (node -1), or for a file
// with no tree node (pipe, eventfd, socket...) one made from its kind's st_mode.
linux::stat stat_of_file(const File& f) {
  linux::stat st;
  if (f.ops->mode == 0) {
    fill_stat(f.node, &st);
    return st;
  }
  memset(&st, 0, sizeof st);
  st.st_ino = reinterpret_cast<uint64_t>(f.object) & 0xFFFFFFFF;
  st.st_mode = f.ops->mode;
  st.st_nlink = 1;
  st.st_blksize = 4096;
  if (const Memfd* m = memfd_of(f)) {
    st.st_size = static_cast<int64_t>(memfd_size(m));
    st.st_blocks = (st.st_size + 4095) / 4096 * 8;
  }
  return st;
}

linux::stat stat_of_node(NodeId id) {
  linux::stat st;
  fill_stat(id, &st);
  return st;
}

// ---- open/close ----
// The node open() opens: (dirfd, path) resolved, or with O_CREAT a new file when nothing
// is there.
ErrorOr<NodeId> open_target(int dirfd, UserPtr<const char> path, int flags) {
  bool create = flags & linux::O_CREAT, exclusive = create && (flags & linux::O_EXCL);
  bool follow = !(flags & linux::O_NOFOLLOW) && !exclusive;
  ErrorOr<NodeId> found = resolve_user_path(dirfd, path, follow);
  if (found.ok())
    return exclusive ? ErrorOr<NodeId>(Err(-EEXIST)) : found;
  if (found.error() != -ENOENT || !create)
    return found;
  char name[kNameBuffer];
  NodeId dir = TRY(resolve_user_parent(dirfd, path, name));
  if (is_dot_name(name))
    return Err(-EISDIR);
  if (fs::node(dir)->removed && dir != 0)
    return Err(-ENOENT);
  NodeId id = fs::create_file(static_cast<int32_t>(dir), name);
  if (id < 0)
    return Err(static_cast<int>(id));
  return id;
}

// The content of a /proc or text file, captured at open (freed with the file).
ErrorOr<char*> snapshot_of(const fs::Node* n, size_t* len) {
  char* data;
  if (n->special == fs::Special::kProcMaps)
    data = render_maps(len);
  else if (n->special == fs::Special::kProcMeminfo)
    data = render_meminfo(len);
  else if (n->special == fs::Special::kProcCpuinfo)
    data = render_cpuinfo(len);
  else
    data = kstrndup(n->link_target, *len = strlen(n->link_target));
  if (!data)
    return Err(-ENOMEM);
  return data;
}

// Which kind of file opening node n makes (checking the open flags against it); a
// snapshot's content goes to *data.
ErrorOr<const FileOps*> ops_for_node(fs::Node* n, int flags, char** data, size_t* data_len) {
  bool writing = (flags & linux::O_ACCMODE) != linux::O_RDONLY;
  switch (n->type) {
  case fs::NodeType::kDirectory:
    if (writing || (flags & linux::O_CREAT))
      return Err(-EISDIR);
    if (n->special == fs::Special::kProcFd)
      refresh_fd_dir();
    return &kDirectoryOps;
  case fs::NodeType::kSocket:
    return Err(-ENXIO); // sockets are reached with connect, not open
  case fs::NodeType::kCharDevice:
    if (n->special == fs::Special::kTty)
      return Err(-ENXIO); // no controlling terminal
    return n->special == fs::Special::kNull   ? &kNullOps
           : n->special == fs::Special::kZero ? &kZeroOps
                                              : &kRandomOps;
  default:
    break;
  }
  if (n->special != fs::Special::kNone) {
    if (writing)
      return Err(-EACCES);
    *data = TRY(snapshot_of(n, data_len));
    return &kSnapshotOps;
  }
  if ((writing || (flags & linux::O_TRUNC)) && !fs::writable())
    return Err(-EROFS);
  if (!n->inode)
    return Err(-EIO);
  if ((flags & linux::O_TRUNC) && writing) {
    if (int r = fs::truncate_file(n->inode, 0); r < 0)
      return Err(r);
  }
  return &kRegularFileOps;
}

SyscallResult do_open(int dirfd, UserPtr<const char> path, int flags) {
  // mode: the format has no permissions (spec §3.5)
  if ((flags & linux::O_ACCMODE) == 3)
    return Err(-EINVAL);
  constexpr int kTmpFile = 020000000; // O_TMPFILE without its O_DIRECTORY bit
  if (flags & kTmpFile)
    return Err(-EOPNOTSUPP); // unnamed files are not done; programs fall back to named ones
  char shm_name[kNameBuffer];
  if (TRY(user_shm_name(path, shm_name))) // /dev/shm/NAME: a memory file (shm_files.h)
    return shm_open_name(shm_name, flags);
  NodeId id = TRY(open_target(dirfd, path, flags));
  fs::Node* n = fs::node(id);
  if (n->type == fs::NodeType::kSymlink)
    return Err(flags & linux::O_PATH ? -EINVAL : -ELOOP); // O_NOFOLLOW on a link
  if ((flags & linux::O_DIRECTORY) && n->type != fs::NodeType::kDirectory)
    return Err(-ENOTDIR);
  char* data = nullptr;
  size_t data_len = 0;
  const FileOps* ops = TRY(ops_for_node(n, flags, &data, &data_len));
  File* f = new_file(*ops, id, flags & ~(linux::O_CREAT | linux::O_EXCL | linux::O_CLOEXEC |
                                         linux::O_TRUNC | linux::O_NOFOLLOW));
  if (!f) {
    kfree(data);
    return Err(-ENOMEM);
  }
  f->data = data;
  f->data_len = data_len;
  n = fs::node(id);
  if (ops == &kDirectoryOps)
    f->cursor = n->first_child;
  if (ops == &kRegularFileOps)
    fs::file_opened(n->inode);
  int fd = process().files.install(f, flags & linux::O_CLOEXEC);
  if (fd < 0) {
    release_file(f);
    return Err(fd);
  }
  return fd;
}

} // namespace

SyscallResult sys_open(const SyscallArgs& a) {
  return do_open(linux::AT_FDCWD, a.user<const char>(0), a.i(1));
}

SyscallResult sys_openat(const SyscallArgs& a) {
  return do_open(a.i(0), a.user<const char>(1), a.i(2));
}

SyscallResult sys_creat(const SyscallArgs& a) {
  return do_open(linux::AT_FDCWD, a.user<const char>(0),
                 linux::O_CREAT | linux::O_WRONLY | linux::O_TRUNC);
}

SyscallResult sys_close(const SyscallArgs& a) {
  if (int r = process().files.close(a.i(0)); r < 0)
    return Err(r);
  return 0L;
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
  return as_result(file_pread(*f, a.user<uint8_t>(1), a.u(2), a.s(3)));
}

// Linux: pwrite on an O_APPEND file appends (and leaves the offset alone).
SyscallResult sys_pwrite64(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  FileRef hold(f);
  return as_result(file_pwrite(*f, a.user<const uint8_t>(1), a.u(2), a.s(3)));
}

namespace {

template <bool kWrite> SyscallResult vector_io(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  FileRef hold(f);
  UserIoVector io;
  TRY(io.fetch(a.user<const linux::iovec>(1), a.s(2)));
  return as_result(kWrite ? file_writev(*f, io.vector()) : file_readv(*f, io.vector()));
}

} // namespace

namespace {

constexpr uint64_t kKnownRwFlags = 0x1F; // RWF_HIPRI, DSYNC, SYNC, NOWAIT, APPEND

// preadv/pwritev (and the v2 forms with an explicit offset): each vector in turn at `pos`,
// leaving the file offset alone; a short transfer ends the call.
template <bool kWrite> SyscallResult positional_vector_io(const SyscallArgs& a, int64_t pos) {
  File* f = TRY(file_for(a.i(0)));
  if (pos < 0)
    return Err(-EINVAL);
  if (!f->ops->positional)
    return Err(-ESPIPE);
  FileRef hold(f);
  UserIoVector io;
  TRY(io.fetch(a.user<const linux::iovec>(1), a.s(2)));
  size_t n = TRY(kWrite ? file_pwritev(*f, io.vector(), pos) : file_preadv(*f, io.vector(), pos));
  return static_cast<long>(n);
}

// preadv2/pwritev2: offset -1 means the file offset (as readv/writev); the flags are hints
// this kernel's synchronous I/O already satisfies, but unknown ones are EOPNOTSUPP.
template <bool kWrite> SyscallResult vector_io_v2(const SyscallArgs& a) {
  if (a.u(5) & ~kKnownRwFlags)
    return Err(-EOPNOTSUPP);
  if (a.s(3) == -1)
    return vector_io<kWrite>(a);
  return positional_vector_io<kWrite>(a, a.s(3));
}

} // namespace

SyscallResult sys_preadv(const SyscallArgs& a) {
  return positional_vector_io<false>(a, a.s(3));
}
SyscallResult sys_pwritev(const SyscallArgs& a) {
  return positional_vector_io<true>(a, a.s(3));
}
SyscallResult sys_preadv2(const SyscallArgs& a) {
  return vector_io_v2<false>(a);
}
SyscallResult sys_pwritev2(const SyscallArgs& a) {
  return vector_io_v2<true>(a);
}

// sendfile: from a regular file (at *offset, or its file offset) to a regular file, a pipe
// or a socket whose family takes kernel bytes (TCP), through a kernel buffer. Other sources
// (pipes, sockets) and destinations are EINVAL, as Linux answers for files that cannot
// splice.
SyscallResult sys_sendfile(const SyscallArgs& a) {
  File* in = TRY(file_for(a.i(1)));
  if ((in->flags & linux::O_ACCMODE) == linux::O_WRONLY)
    return Err(-EBADF);
  File* out = TRY(file_for(a.i(0)));
  if ((out->flags & linux::O_ACCMODE) == linux::O_RDONLY)
    return Err(-EBADF);
  UserPtr<int64_t> uoff = a.user<int64_t>(2);
  uint64_t pos = in->offset;
  if (!uoff.is_null()) {
    int64_t o = TRY(copy_from_user(uoff));
    if (o < 0)
      return Err(-EINVAL);
    pos = static_cast<uint64_t>(o);
  }
  bool to_pipe = out->kind == FileKind::kPipeWrite;
  bool to_socket = out->ops == &kSocketFileOps;
  if (in->kind != FileKind::kRegular || (!to_pipe && !to_socket && out->kind != FileKind::kRegular))
    return Err(-EINVAL);
  FileRef hold_in(in), hold_out(out);
  constexpr size_t kMaxCount = 0x7FFFF000; // Linux's MAX_RW_COUNT
  size_t count = a.u(3) < kMaxCount ? a.u(3) : kMaxCount;
  HeapBuffer buffer(io_chunk(count));
  if (!buffer.ok())
    return Err(-ENOMEM);
  const fs::Inode* source = fs::node(in->node)->inode;
  size_t done = 0;
  int error = 0;
  while (done < count) {
    size_t want = count - done < buffer.size() ? count - done : buffer.size();
    auto n = fs::read_file(source, pos, buffer.data(), want);
    if (!n.ok()) {
      error = n.error();
      break;
    }
    if (*n == 0)
      break;
    auto* bytes = reinterpret_cast<const uint8_t*>(buffer.data());
    ErrorOr<size_t> w = to_pipe     ? pipe_write_kernel(*out, bytes, *n)
                        : to_socket ? socket_of(*out)->send_kernel(*out, bytes, *n)
                                    : regular_write_kernel(*out, bytes, *n, &out->offset);
    if (!w.ok()) {
      error = w.error();
      break;
    }
    done += *w;
    pos += *w;
    if (*w < *n)
      break;
  }
  if (done == 0 && error)
    return Err(error);
  if (!uoff.is_null()) {
    auto next = static_cast<int64_t>(pos);
    TRY(copy_to_user(uoff, &next));
  } else {
    in->offset = pos;
  }
  return static_cast<long>(done);
}

SyscallResult sys_lseek(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  uint64_t at = TRY(file_seek(*f, a.s(1), a.i(2)));
  return static_cast<long>(at);
}

// ---- metadata ----
SyscallResult sys_fstat(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  linux::stat st = stat_of_file(*f);
  TRY(copy_to_user(a.user<linux::stat>(1), &st));
  return 0L;
}

SyscallResult sys_stat(const SyscallArgs& a) {
  NodeId id = TRY(resolve_user_path(linux::AT_FDCWD, a.user<const char>(0), true));
  linux::stat st = stat_of_node(id);
  TRY(copy_to_user(a.user<linux::stat>(1), &st));
  return 0L;
}

SyscallResult sys_lstat(const SyscallArgs& a) {
  NodeId id = TRY(resolve_user_path(linux::AT_FDCWD, a.user<const char>(0), false));
  linux::stat st = stat_of_node(id);
  TRY(copy_to_user(a.user<linux::stat>(1), &st));
  return 0L;
}

namespace {

// newfstatat/statx: (dirfd, path), where AT_EMPTY_PATH lets "" mean dirfd itself (the
// current directory for AT_FDCWD, and any open file, with or without a tree node).
ErrorOr<linux::stat> stat_at(int dirfd, UserPtr<const char> path, int flags) {
  if (flags & linux::AT_EMPTY_PATH) {
    PathBuffer buffer;
    size_t len = TRY(copy_path_from_user(buffer, path, true));
    if (len == 0) {
      if (dirfd == linux::AT_FDCWD)
        return stat_of_node(process().cwd);
      File* f = TRY(file_for(dirfd));
      return stat_of_file(*f);
    }
  }
  NodeId id = TRY(resolve_user_path(dirfd, path, !(flags & linux::AT_SYMLINK_NOFOLLOW)));
  return stat_of_node(id);
}

} // namespace

SyscallResult sys_newfstatat(const SyscallArgs& a) {
  linux::stat st = TRY(stat_at(a.i(0), a.user<const char>(1), a.i(3)));
  TRY(copy_to_user(a.user<linux::stat>(2), &st));
  return 0L;
}

SyscallResult sys_statx(const SyscallArgs& a) {
  linux::stat st = TRY(stat_at(a.i(0), a.user<const char>(1), a.i(2)));
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
  TRY(copy_to_user(a.user<linux::statx>(4), &sx));
  return 0L;
}

namespace {

SyscallResult do_access(int dirfd, UserPtr<const char> path, int mode, int flags) {
  if (mode & ~7)
    return Err(-EINVAL);
  NodeId id = TRY(resolve_user_path(dirfd, path, !(flags & linux::AT_SYMLINK_NOFOLLOW)));
  const fs::Node* n = fs::node(id);
  if ((mode & 2) && n->type != fs::NodeType::kCharDevice &&
      (!fs::writable() || n->special != fs::Special::kNone))
    return Err(n->special != fs::Special::kNone ? -EACCES : -EROFS);
  return 0L;
}

} // namespace

SyscallResult sys_access(const SyscallArgs& a) {
  return do_access(linux::AT_FDCWD, a.user<const char>(0), a.i(1), 0);
}

SyscallResult sys_faccessat(const SyscallArgs& a) {
  return do_access(a.i(0), a.user<const char>(1), a.i(2), 0);
}

SyscallResult sys_faccessat2(const SyscallArgs& a) {
  return do_access(a.i(0), a.user<const char>(1), a.i(2), a.i(3));
}

namespace {

SyscallResult do_readlink(int dirfd, UserPtr<const char> path, UserPtr<char> ubuf, long size) {
  if (size <= 0)
    return Err(-EINVAL);
  NodeId id = TRY(resolve_user_path(dirfd, path, false));
  const fs::Node* n = fs::node(id);
  if (n->type != fs::NodeType::kSymlink)
    return Err(-EINVAL);
  size_t len = strlen(n->link_target);
  if (len > static_cast<size_t>(size))
    len = static_cast<size_t>(size);
  TRY(copy_to_user(ubuf, n->link_target, len));
  return static_cast<long>(len);
}

} // namespace

SyscallResult sys_readlink(const SyscallArgs& a) {
  return do_readlink(linux::AT_FDCWD, a.user<const char>(0), a.user<char>(1), a.s(2));
}

SyscallResult sys_readlinkat(const SyscallArgs& a) {
  return do_readlink(a.i(0), a.user<const char>(1), a.user<char>(2), a.s(3));
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
  case fs::NodeType::kSocket:
    return linux::DT_SOCK;
  default:
    return linux::DT_REG;
  }
}

// The next entry of directory file f, or false at its end ("." and ".." first).
bool next_entry(const File& f, const char** name, NodeId* ino, uint8_t* type) {
  *type = linux::DT_DIR;
  if (f.offset == 0) {
    *name = ".";
    *ino = f.node;
  } else if (f.offset == 1) {
    *name = "..";
    *ino = fs::node(f.node)->parent;
  } else if (f.cursor >= 0) {
    const fs::Node* c = fs::node(f.cursor);
    *name = c->name;
    *ino = f.cursor;
    *type = dirent_type(c);
  } else {
    return false;
  }
  return true;
}

} // namespace

namespace {

// One directory entry in the record layout of getdents64 (type before the name) or of the
// legacy getdents (type in the record's last byte, after the name's NUL). Returns the
// record's length, 0 when it does not fit in `room`.
size_t encode_dirent(uint8_t* rec, size_t room, bool legacy, uint64_t ino, int64_t off,
                     uint8_t type, const char* name, size_t namelen) {
  size_t header = legacy ? 18 : 19;
  size_t reclen = (header + namelen + 1 + (legacy ? 1 : 0) + 7) & ~static_cast<size_t>(7);
  if (reclen > room)
    return 0;
  memset(rec, 0, reclen);
  auto rl = static_cast<uint16_t>(reclen);
  memcpy(rec, &ino, 8);
  memcpy(rec + 8, &off, 8);
  memcpy(rec + 16, &rl, 2);
  memcpy(rec + header, name, namelen);
  if (legacy)
    rec[reclen - 1] = type;
  else
    rec[18] = type;
  return reclen;
}

SyscallResult list_directory(const SyscallArgs& a, bool legacy) {
  File* f = TRY(file_for(a.i(0)));
  if (f->kind != FileKind::kDirectory)
    return Err(-ENOTDIR);
  UserPtr<uint8_t> ubuf = a.user<uint8_t>(1);
  size_t size = a.u(2);
  size_t used = 0;
  const char* name;
  NodeId ino;
  uint8_t type;
  while (next_entry(*f, &name, &ino, &type)) {
    size_t namelen = strlen(name);
    if (namelen > 255)
      namelen = 255;
    uint8_t rec[19 + 256 + 8];
    size_t room = size - used < sizeof rec ? size - used : sizeof rec;
    size_t reclen = encode_dirent(rec, room, legacy, static_cast<uint64_t>(ino) + 2,
                                  static_cast<int64_t>(f->offset + 1), type, name, namelen);
    if (reclen == 0) {
      if (used == 0)
        return Err(-EINVAL);
      break;
    }
    TRY(copy_to_user(ubuf.byte_offset(used), rec, reclen));
    used += reclen;
    if (f->offset >= 2)
      f->cursor = fs::node(f->cursor)->next_sibling;
    ++f->offset;
  }
  return static_cast<long>(used);
}

} // namespace

SyscallResult sys_getdents64(const SyscallArgs& a) {
  return list_directory(a, false);
}

SyscallResult sys_getdents(const SyscallArgs& a) {
  return list_directory(a, true);
}

SyscallResult sys_getcwd(const SyscallArgs& a) {
  HeapBuffer path(kMaxPathLength);
  if (!path.ok())
    return Err(-ENOMEM);
  long n = fs::node_path(process().cwd, path.data(), path.size());
  if (n < 0)
    return Err(static_cast<int>(n));
  if (static_cast<uint64_t>(n) + 1 > a.u(1))
    return Err(-ERANGE);
  TRY(copy_to_user(a.user<char>(0), path.data(), static_cast<size_t>(n) + 1));
  return n + 1;
}

namespace {

SyscallResult change_dir(NodeId id) {
  if (fs::node(id)->type != fs::NodeType::kDirectory)
    return Err(-ENOTDIR);
  process().cwd = id;
  return 0L;
}

} // namespace

SyscallResult sys_chdir(const SyscallArgs& a) {
  return change_dir(TRY(resolve_user_path(linux::AT_FDCWD, a.user<const char>(0), true)));
}

SyscallResult sys_fchdir(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  if (f->node < 0)
    return Err(-ENOTDIR); // the console, a pipe, a socket...
  return change_dir(f->node);
}

// ---- descriptors ----
namespace {

// Another descriptor (the lowest free one >= min_fd) for f.
SyscallResult duplicate(File* f, bool cloexec, int min_fd) {
  ++f->refs;
  int fd = process().files.install(f, cloexec, min_fd);
  if (fd < 0) {
    release_file(f);
    return Err(fd);
  }
  return fd;
}

SyscallResult errno_or_value(int r) {
  if (r < 0)
    return Err(r);
  return r;
}

} // namespace

SyscallResult sys_dup(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  return duplicate(f, false, 0);
}

SyscallResult sys_dup2(const SyscallArgs& a) {
  TRY(file_for(a.i(0)));
  return errno_or_value(process().files.dup_to(a.i(0), a.i(1), false));
}

SyscallResult sys_dup3(const SyscallArgs& a) {
  if (a.i(0) == a.i(1) || (a.i(2) & ~linux::O_CLOEXEC))
    return Err(-EINVAL);
  return errno_or_value(process().files.dup_to(a.i(0), a.i(1), a.i(2) & linux::O_CLOEXEC));
}

SyscallResult sys_fcntl(const SyscallArgs& a) {
  int fd = a.i(0);
  File* f = TRY(file_for(fd));
  FdTable& t = process().files;
  switch (a.i(1)) {
  case 0:    // F_DUPFD
  case 1030: // F_DUPFD_CLOEXEC
    if (a.i(2) < 0 || a.i(2) >= t.limit())
      return Err(-EINVAL); // a minimum at or past RLIMIT_NOFILE, as Linux
    return duplicate(f, a.i(1) == 1030, a.i(2));
  case 1: // F_GETFD
    return t.cloexec(fd) ? 1L : 0L;
  case 2: // F_SETFD
    t.set_cloexec(fd, a.i(2) & 1);
    return 0L;
  case 3: // F_GETFL
    return static_cast<long>(f->flags);
  case 4: // F_SETFL: only O_APPEND and O_NONBLOCK change
    f->flags = (f->flags & ~(linux::O_APPEND | linux::O_NONBLOCK)) |
               (a.i(2) & (linux::O_APPEND | linux::O_NONBLOCK));
    return 0L;
  case 5: { // F_GETLK: one process, so nothing ever conflicts
    int16_t unlocked = 2; // F_UNLCK (l_type, the first field of struct flock)
    TRY(copy_to_user(a.user<int16_t>(2), &unlocked));
    return 0L;
  }
  case 6: // F_SETLK
  case 7: // F_SETLKW
    return 0L;
  case 1031: // F_SETPIPE_SZ
    if (!is_pipe(*f))
      return Err(-EBADF);
    return set_pipe_capacity(*f, static_cast<uint32_t>(a.u(2)));
  case 1033: // F_ADD_SEALS
    return memfd_add_seals(*f, static_cast<uint32_t>(a.u(2)));
  case 1034: // F_GET_SEALS
    return memfd_get_seals(*f);
  case 1032: // F_GETPIPE_SZ
    if (!is_pipe(*f))
      return Err(-EBADF);
    return pipe_capacity(*f);
  default:
    return Err(-EINVAL);
  }
}

// Requests every file has (close-on-exec, non-blocking), then the file's kind.
SyscallResult sys_ioctl(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  unsigned long req = a.u(1);
  if (req == 0x5451 || req == 0x5450) { // FIOCLEX, FIONCLEX
    process().files.set_cloexec(a.i(0), req == 0x5451);
    return 0L;
  }
  if (req == 0x5421) { // FIONBIO: the same switch as fcntl(F_SETFL, O_NONBLOCK)
    int on = TRY(copy_from_user(a.user<int>(2)));
    f->flags = on ? f->flags | linux::O_NONBLOCK : f->flags & ~linux::O_NONBLOCK;
    return 0L;
  }
  return file_ioctl(*f, req, a.u(2)); // -ENOTTY unless the file's kind has it
}

SyscallResult sys_fsync(const SyscallArgs& a) {
  TRY(file_for(a.i(0)));
  TRY(fs::log::flush());
  return 0L;
}

SyscallResult sys_sync(const SyscallArgs&) {
  (void)fs::log::flush();
  return 0L;
}

namespace {

// Extended attributes: the filesystem has none (after the path or descriptor checks).
SyscallResult path_xattr(const SyscallArgs& a, bool follow) {
  TRY(resolve_user_path(linux::AT_FDCWD, a.user<const char>(0), follow));
  return Err(-EOPNOTSUPP);
}

SyscallResult fd_xattr(const SyscallArgs& a) {
  TRY(file_for(a.i(0)));
  return Err(-EOPNOTSUPP);
}

// The process's file mode creation mask (reported only: files have no permissions).
uint32_t g_umask = 022;

} // namespace

// Advice is only a hint (every read goes to the file system's own cache), but the checks
// are Linux's: an unknown advice is EINVAL, a pipe or socket ESPIPE.
SyscallResult sys_fadvise64(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  if (f->kind == FileKind::kPipeRead || f->kind == FileKind::kPipeWrite)
    return Err(-ESPIPE);
  if (a.u(3) > 5) // POSIX_FADV_NORMAL .. POSIX_FADV_NOREUSE
    return Err(-EINVAL);
  return 0L;
}

SyscallResult sys_umask(const SyscallArgs& a) {
  uint32_t old = g_umask;
  g_umask = static_cast<uint32_t>(a.u(0)) & 0777;
  return static_cast<long>(old);
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
  return path_xattr(a, true);
}
SyscallResult sys_listxattr(const SyscallArgs& a) {
  return path_xattr(a, true);
}
SyscallResult sys_lgetxattr(const SyscallArgs& a) {
  return path_xattr(a, false);
}
SyscallResult sys_llistxattr(const SyscallArgs& a) {
  return path_xattr(a, false);
}
SyscallResult sys_fgetxattr(const SyscallArgs& a) {
  return fd_xattr(a);
}
SyscallResult sys_flistxattr(const SyscallArgs& a) {
  return fd_xattr(a);
}

} // namespace unix
