// The FileOps of tree-backed files (tree_files.h). Data moves between user memory and the
// file system through a per-call bounce buffer.
#include "unix/fd/tree_files.h"

#include "arch/x86_64/usercopy.h"
#include "fs/dir_ops.h"
#include "fs/file_data.h"
#include "fs/fs_lock.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "unix/syscall/heap_buffer.h"
#include "unix/syscall/linux_abi.h"
#include "unix/fs/tfs_time.h"

namespace unix {

uint64_t node_size(const fs::Node* n) {
  switch (n->type) {
  case fs::NodeType::kFile:
    if (n->special == fs::Special::kText)
      return strlen(n->link_target);
    return fs::file_length(n->inode);
  case fs::NodeType::kSymlink:
    return strlen(n->link_target);
  case fs::NodeType::kDirectory:
    return 4096;
  default:
    return 0;
  }
}

namespace {

constexpr int kSeekSet = 0, kSeekCur = 1, kSeekEnd = 2, kSeekData = 3, kSeekHole = 4;

// ---- regular files ----
ErrorOr<size_t> regular_read(File& f, UserPtr<uint8_t> ubuf, size_t len, uint64_t* pos) {
  if ((f.flags & linux::O_ACCMODE) == linux::O_WRONLY)
    return Err(-EBADF);
  const fs::Inode* t = fs::node(f.node)->inode;
  HeapBuffer bounce(io_chunk(len));
  if (!bounce.ok())
    return Err(-ENOMEM);
  size_t done = 0;
  while (done < len) {
    size_t want = len - done < bounce.size() ? len - done : bounce.size();
    auto n = fs::read_file(t, *pos, bounce.data(), want);
    if (!n.ok())
      return done ? ErrorOr<size_t>(done) : Err(n.error());
    if (*n == 0)
      break;
    // A buffer running into an unmapped page takes what fits: a short read (Linux).
    size_t copied = copy_to_user_prefix(ubuf.byte_offset(done).as<void>(), bounce.data(), *n);
    done += copied;
    *pos += copied;
    if (copied < *n)
      return done ? ErrorOr<size_t>(done) : Err(-EFAULT);
    if (*n < want)
      break;
  }
  return done;
}

// Writes at *pos, or at the end with O_APPEND (pwrite too, as on Linux).
// The write path of regular files; `fill(dst, offset, n)` supplies the next n bytes of the
// source (from user memory for write(), from the kernel for sendfile) and fails with -EFAULT.
template <typename Fill>
ErrorOr<size_t> regular_write_from(File& f, size_t len, uint64_t* pos, Fill fill) {
  if ((f.flags & linux::O_ACCMODE) == linux::O_RDONLY)
    return Err(-EBADF);
  fs::Inode* ino = fs::node(f.node)->inode;
  // Held across the whole write: O_APPEND's end is then still the end when the data lands
  // (no other thread's write in between), and a metadata flush cannot clear times_dirty
  // between our stores below and its log record.
  fs::FsLocked locked;
  if (f.flags & linux::O_APPEND)
    *pos = ino->length;
  if (*pos + len < *pos || *pos + len > (1ull << 44))
    return Err(-EFBIG);
  HeapBuffer bounce(io_chunk(len));
  if (!bounce.ok())
    return Err(-ENOMEM);
  size_t done = 0;
  while (done < len) {
    size_t n = len - done < bounce.size() ? len - done : bounce.size();
    if (!fill(bounce.data(), done, n))
      return done ? ErrorOr<size_t>(done) : Err(-EFAULT);
    auto w = fs::write_file(ino, *pos, bounce.data(), n);
    if (!w.ok())
      return done ? ErrorOr<size_t>(done) : Err(w.error());
    done += *w;
    *pos += *w;
    if (*w < n)
      break;
  }
  if (done) {
    ino->mtime = tfs_now();
    ino->times_dirty = true;
  }
  return done;
}

ErrorOr<size_t> regular_write(File& f, UserPtr<const uint8_t> ubuf, size_t len, uint64_t* pos) {
  return regular_write_from(f, len, pos, [&](void* dst, size_t at, size_t n) {
    return copy_from_user(dst, ubuf.byte_offset(at).as<void>(), n).ok();
  });
}

ErrorOr<uint64_t> seek_within(File& f, int64_t off, int whence, int64_t size,
                              const fs::Inode* ino) {
  int64_t base;
  switch (whence) {
  case kSeekSet:
    base = 0;
    break;
  case kSeekCur:
    base = static_cast<int64_t>(f.offset);
    break;
  case kSeekEnd:
    base = size;
    break;
  default: { // kSeekData, kSeekHole
    if (off < 0)
      return Err(-EINVAL);
    if (off >= size)
      return Err(-ENXIO);
    uint64_t at = static_cast<uint64_t>(off);
    if (ino)
      at = whence == kSeekData ? fs::next_data(ino, at) : fs::next_hole(ino, at);
    else if (whence == kSeekHole)
      at = static_cast<uint64_t>(size);
    if (at >= static_cast<uint64_t>(size)) {
      if (whence == kSeekData)
        return Err(-ENXIO);
      at = static_cast<uint64_t>(size);
    }
    f.offset = at;
    return at;
  }
  }
  if (off < 0 && base + off < 0)
    return Err(-EINVAL);
  f.offset = static_cast<uint64_t>(base + off);
  return f.offset;
}

ErrorOr<uint64_t> regular_seek(File& f, int64_t off, int whence) {
  const fs::Node* n = fs::node(f.node);
  return seek_within(f, off, whence, static_cast<int64_t>(node_size(n)), n->inode);
}

// An unlinked file's blocks may go once its last open file does.
void regular_release(File& f) {
  if (const fs::Node* n = fs::node(f.node); n && n->inode)
    fs::file_closed(n->inode);
}

// ---- directories: read through getdents64 ----
ErrorOr<size_t> is_a_directory_read(File&, UserPtr<uint8_t>, size_t, uint64_t*) {
  return Err(-EISDIR);
}

// Only SEEK_SET to an entry index ("." and ".." are entries 0 and 1): re-walks the children.
ErrorOr<uint64_t> directory_seek(File& f, int64_t off, int whence) {
  if (whence != kSeekSet || off < 0)
    return Err(-EINVAL);
  f.cursor = fs::node(f.node)->first_child;
  for (int64_t i = 2; i < off && f.cursor >= 0; ++i)
    f.cursor = fs::node(f.cursor)->next_sibling;
  f.offset = static_cast<uint64_t>(off);
  return f.offset;
}

// ---- snapshots ----
ErrorOr<size_t> snapshot_read(File& f, UserPtr<uint8_t> ubuf, size_t len, uint64_t* pos) {
  if (*pos >= f.data_len)
    return size_t{0};
  size_t n = f.data_len - *pos < len ? f.data_len - *pos : len;
  n = copy_to_user_prefix(ubuf.as<void>(), f.data + *pos, n); // short before a hole
  if (!n)
    return Err(-EFAULT);
  *pos += n;
  return n;
}

ErrorOr<uint64_t> snapshot_seek(File& f, int64_t off, int whence) {
  return seek_within(f, off, whence, static_cast<int64_t>(f.data_len), nullptr);
}

void snapshot_release(File& f) {
  kfree(f.data);
}

} // namespace

ErrorOr<size_t> regular_write_kernel(File& f, const uint8_t* src, size_t len, uint64_t* pos) {
  return regular_write_from(f, len, pos, [&](void* dst, size_t at, size_t n) {
    memcpy(dst, src + at, n);
    return true;
  });
}

const FileOps kRegularFileOps{
    .kind = FileKind::kRegular,
    .mode = 0,
    .positional = true,
    .read = regular_read,
    .write = regular_write,
    .seek = regular_seek,
    .release = regular_release,
};

// A directory is open for reading only (open refuses anything else), so a write is EBADF
// as for any file not open for writing; pread/pwrite reach the same answers as on Linux,
// where directories are positional files (pread: EISDIR, pwrite: EBADF).
const FileOps kDirectoryOps{
    .kind = FileKind::kDirectory,
    .mode = 0,
    .positional = true,
    .read = is_a_directory_read,
    .write = write_not_permitted,
    .seek = directory_seek,
};

// Snapshots are opened read-only (open refuses to write them).
const FileOps kSnapshotOps{
    .kind = FileKind::kSnapshot,
    .mode = 0,
    .positional = true,
    .read = snapshot_read,
    .write = write_not_permitted,
    .seek = snapshot_seek,
    .release = snapshot_release,
};

} // namespace unix
