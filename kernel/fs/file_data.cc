#include "fs/file_data.h"

#include "fs/chunk_check.h"
#include "fs/fs_lock.h"
#include "fs/metadata_log.h"
#include "fs/volume.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"

namespace fs {
namespace {

constexpr uint64_t kBlock = 512;
constexpr uint64_t kBounceBlocks = 128;         // 64 KiB per disk request
constexpr uint64_t kMaxExtentBlocks = 65536;    // 32 MiB, the kernel's cap (spec §3.5)
constexpr uint64_t kMinPrealloc = 64;           // 32 KiB: small appends share one extent
constexpr uint64_t kMaxPrealloc = 2048;         // 1 MiB
constexpr uint64_t kLogReserve = kLogReserveBlocks;

uint8_t* g_bounce = nullptr;

bool bounce() {
  if (!g_bounce)
    g_bounce = static_cast<uint8_t*>(kmalloc(kBounceBlocks * kBlock));
  return g_bounce != nullptr;
}

// Index of the first extent starting after b (count if none); extents are sorted.
uint32_t next_after(const Inode* f, uint64_t b) {
  uint32_t lo = 0, hi = f->count;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (f->extents[mid].file_block <= b)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}
// Index of the extent holding block b, or -1: the last one starting at or before b.
int64_t find_extent(const Inode* f, uint64_t b) {
  uint32_t after = next_after(f, b);
  if (after == 0)
    return -1;
  const FileExtent& e = f->extents[after - 1];
  return b < e.file_block + e.length ? static_cast<int64_t>(after - 1) : -1;
}

bool insert_extent(Inode* f, uint32_t at, const FileExtent& e) {
  if (f->count == f->capacity) {
    uint32_t cap = f->capacity ? f->capacity * 2 : 4;
    auto* grown = static_cast<FileExtent*>(krealloc(f->extents, cap * sizeof(FileExtent)));
    if (!grown)
      return false;
    f->extents = grown;
    f->capacity = cap;
  }
  for (uint32_t i = f->count; i > at; --i)
    f->extents[i] = f->extents[i - 1];
  f->extents[at] = e;
  ++f->count;
  return true;
}

void erase_extent(Inode* f, uint32_t at) {
  for (uint32_t i = at; i + 1 < f->count; ++i)
    f->extents[i] = f->extents[i + 1];
  --f->count;
}

// Maps file blocks starting at `b` (which no extent holds), at most `need` of them, by
// growing the extent that ends at b or by allocating a new one. The mapped blocks hold
// garbage: the caller writes all of them. Returns the number mapped or -ENOSPC/-ENOMEM.
long map_blocks(Inode* f, uint64_t b, uint64_t need) {
  uint32_t next = next_after(f, b);
  if (next < f->count && f->extents[next].file_block - b < need)
    need = f->extents[next].file_block - b;
  FileExtent* prev = next > 0 ? &f->extents[next - 1] : nullptr;
  bool follows = prev && prev->file_block + prev->length == b;
  if (follows && prev->allocated > prev->length) { // room reserved behind it
    uint64_t n = prev->allocated - prev->length < need ? prev->allocated - prev->length : need;
    prev->length += n;
    prev->dirty = true;
    return static_cast<long>(n);
  }
  FreeSpace& space = free_space();
  if (space.free_blocks() <= kLogReserve)
    return -ENOSPC;
  // A file growing at its end gets more than this write needs, so that one written in small
  // pieces stays in few extents: as much again as it has, between 32 KiB and 1 MiB (given
  // back when it is closed, see trim_file). A write into a hole gets what it needs.
  uint64_t want = need;
  if (follows || b == 0)
    want = b < kMinPrealloc ? kMinPrealloc : (b < kMaxPrealloc ? b : kMaxPrealloc);
  if (want < need)
    want = need;
  if (want > space.free_blocks() - kLogReserve)
    want = space.free_blocks() - kLogReserve;
  uint64_t hint = follows ? prev->disk_block + prev->allocated : 0;
  uint64_t start = 0, got = 0;
  if (!space.allocate(want, hint, &start, &got))
    return -ENOSPC;
  uint64_t used = got < need ? got : need;
  if (follows && start == hint && prev->allocated + got <= kMaxExtentBlocks) {
    // Right behind the previous extent on disk too: it simply grows.
    prev->allocated += got;
    prev->length += used;
    prev->dirty = true;
    return static_cast<long>(used);
  }
  FileExtent e{b, start, used, got, 0, false, true};
  if (!insert_extent(f, next, e)) {
    space.release(start, got);
    return -ENOMEM;
  }
  return static_cast<long>(used);
}

// An extent from the image that is preallocated but unwritten: zero it on disk so it can
// take data like any other, and drop its `uninited` flag in the log.
int materialize(FileExtent* e) {
  if (!bounce())
    return -ENOMEM;
  if (e->index && !log::remove_attribute(e->index, "uninited").ok())
    return -ENOSPC;
  memset(g_bounce, 0, kBounceBlocks * kBlock);
  for (uint64_t done = 0; done < e->length;) {
    uint64_t n = e->length - done < kBounceBlocks ? e->length - done : kBounceBlocks;
    if (!write_blocks(e->disk_block + done, n, g_bounce).ok())
      return -EIO;
    done += n;
  }
  e->uninited = false;
  e->dirty = true;
  return 0;
}

} // namespace

uint64_t file_length(const Inode* f) {
  return f ? f->length : 0;
}

uint64_t next_data(const Inode* f, uint64_t offset) {
  uint64_t b = offset / kBlock;
  if (find_extent(f, b) >= 0)
    return offset;
  uint32_t next = next_after(f, b);
  return next < f->count ? f->extents[next].file_block * kBlock : UINT64_MAX;
}

uint64_t next_hole(const Inode* f, uint64_t offset) {
  uint64_t b = offset / kBlock;
  for (int64_t i = find_extent(f, b); i >= 0; i = find_extent(f, b))
    b = f->extents[i].file_block + f->extents[i].length; // adjacent extents are one data run
  return b * kBlock > offset ? b * kBlock : offset;
}

uint64_t file_blocks(const Inode* f) {
  uint64_t n = 0;
  for (uint32_t i = 0; f && i < f->count; ++i)
    n += f->extents[i].length;
  return n;
}

ErrorOr<size_t> read_file(const Inode* f, uint64_t offset, void* buf, size_t len) {
  FsLocked locked;
  uint64_t size = file_length(f);
  if (offset >= size)
    return static_cast<size_t>(0);
  if (len > size - offset)
    len = static_cast<size_t>(size - offset);
  // Data from the image is read only once its chunk digests matched (or up to the first
  // chunk that does not).
  len = TRY(check_chunks(f, offset, len));
  if (!bounce())
    return Err(-ENOMEM);
  auto* out = static_cast<uint8_t*>(buf);
  size_t done = 0;
  while (done < len) {
    uint64_t pos = offset + done;
    uint64_t b = pos / kBlock;
    size_t in_block = pos % kBlock;
    int64_t i = find_extent(f, b);
    if (i < 0 || f->extents[i].uninited) {
      // A hole (or preallocated space): zeros up to the next extent.
      uint64_t next = i >= 0 ? f->extents[i].file_block + f->extents[i].length
                             : (next_after(f, b) < f->count ? f->extents[next_after(f, b)].file_block
                                                            : UINT64_MAX / kBlock);
      uint64_t n = next * kBlock - pos;
      if (n > len - done)
        n = len - done;
      memset(out + done, 0, n);
      done += n;
      continue;
    }
    const FileExtent& e = f->extents[i];
    uint64_t count = e.file_block + e.length - b;
    uint64_t want = (in_block + (len - done) + kBlock - 1) / kBlock;
    if (count > want)
      count = want;
    uint64_t whole = in_block == 0 ? (len - done) / kBlock : 0;
    if (whole > count)
      whole = count;
    if (whole > 0) {
      // Whole blocks: the device writes them straight into the caller's buffer (copies are
      // what costs under kvm-pvm, where every kernel instruction is emulated).
      if (!read_blocks(e.disk_block + (b - e.file_block), whole, out + done).ok())
        return done ? ErrorOr<size_t>(done) : Err(-EIO);
      done += whole * kBlock;
      continue;
    }
    // A partial block (at the start or the end of the range) goes through the bounce
    // buffer, one block only: the whole blocks after it are read directly next round (under
    // emulation a copy costs an iteration per 8 bytes, far more than one more request).
    if (!read_blocks(e.disk_block + (b - e.file_block), 1, g_bounce).ok())
      return done ? ErrorOr<size_t>(done) : Err(-EIO);
    size_t n = kBlock - in_block;
    if (n > len - done)
      n = len - done;
    memcpy(out + done, g_bounce + in_block, n);
    done += n;
  }
  return done;
}

ErrorOr<size_t> write_file(Inode* f, uint64_t offset, const void* buf, size_t len,
                           bool keep_length) {
  FsLocked locked;
  if (len == 0)
    return static_cast<size_t>(0);
  if (offset + len < offset)
    return Err(-EFBIG);
  if (!bounce())
    return Err(-ENOMEM);
  drop_chunk_check(f); // its data changes: the digests nanos-mkimage recorded stop applying
  const auto* in = static_cast<const uint8_t*>(buf);
  size_t done = 0;
  int error = 0;
  while (done < len) {
    uint64_t pos = offset + done;
    uint64_t b = pos / kBlock;
    size_t in_block = pos % kBlock;
    uint64_t need = (in_block + (len - done) + kBlock - 1) / kBlock;
    if (need > kBounceBlocks)
      need = kBounceBlocks;
    int64_t i = find_extent(f, b);
    bool fresh = false; // blocks just mapped: their old content does not count
    uint64_t run;
    if (i < 0) {
      long n = map_blocks(f, b, need);
      if (n < 0) {
        error = static_cast<int>(n);
        break;
      }
      i = find_extent(f, b);
      fresh = true;
      run = static_cast<uint64_t>(n);
    } else {
      if (f->extents[i].uninited && (error = materialize(&f->extents[i])) < 0)
        break;
      run = f->extents[i].file_block + f->extents[i].length - b;
    }
    if (run > need)
      run = need;
    const FileExtent& e = f->extents[i];
    uint64_t disk = e.disk_block + (b - e.file_block);
    size_t n = run * kBlock - in_block;
    if (n > len - done)
      n = len - done;
    size_t end_in_last = (in_block + n) % kBlock; // 0: the run ends on a block boundary
    if (in && in_block == 0 && end_in_last == 0) {
      // Whole blocks: written from the caller's buffer, no copy.
      if (!write_blocks(disk, n / kBlock, in + done).ok()) {
        error = -EIO;
        break;
      }
      done += n;
      continue;
    }
    // Partial first and last blocks keep their other bytes (zeros when fresh).
    if (fresh) {
      if (in_block)
        memset(g_bounce, 0, in_block);
      if (end_in_last)
        memset(g_bounce + in_block + n, 0, kBlock - end_in_last);
    } else {
      if (in_block && !read_blocks(disk, 1, g_bounce).ok()) {
        error = -EIO;
        break;
      }
      if (end_in_last && (run > 1 || !in_block) &&
          !read_blocks(disk + run - 1, 1, g_bounce + (run - 1) * kBlock).ok()) {
        error = -EIO;
        break;
      }
    }
    if (in)
      memcpy(g_bounce + in_block, in + done, n);
    else
      memset(g_bounce + in_block, 0, n);
    if (!write_blocks(disk, run, g_bounce).ok()) {
      error = -EIO;
      break;
    }
    done += n;
  }
  if (done && !keep_length && offset + done > f->length) {
    f->length = offset + done;
    f->length_dirty = true;
  }
  if (done || f->length_dirty)
    log::mark_dirty(f);
  if (!done && error)
    return Err(error);
  return done;
}

int truncate_file(Inode* f, uint64_t length) {
  FsLocked locked;
  drop_chunk_check(f);
  if (length >= f->length) {
    // Growing: the new bytes read as zeros (holes, or zeros past the old end).
    if (length != f->length) {
      f->length = length;
      f->length_dirty = true;
      log::mark_dirty(f);
    }
    return 0;
  }
  uint64_t keep = (length + kBlock - 1) / kBlock; // blocks still holding data
  for (uint32_t i = f->count; i-- > 0;) {
    FileExtent& e = f->extents[i];
    if (e.file_block >= keep) {
      if (e.index && !log::remove_extent(f->extents_index, e.file_block).ok())
        return -ENOSPC;
      free_space().release(e.disk_block, e.allocated);
      erase_extent(f, i);
    } else if (e.file_block + e.length > keep) {
      e.length = keep - e.file_block; // the blocks behind stay allocated for regrowth
      e.dirty = true;
    }
  }
  f->length = length;
  f->length_dirty = true;
  log::mark_dirty(f);
  if (f->opens == 0)
    trim_file(f); // no descriptor will close it: give the reservation back now
  // Zero the rest of the last block (the invariant: nothing but zeros past the end).
  if (length % kBlock) {
    int64_t i = find_extent(f, length / kBlock);
    if (i >= 0 && !f->extents[i].uninited) {
      if (!bounce())
        return -ENOMEM;
      uint64_t disk = f->extents[i].disk_block + (length / kBlock - f->extents[i].file_block);
      if (!read_blocks(disk, 1, g_bounce).ok())
        return -EIO;
      memset(g_bounce + length % kBlock, 0, kBlock - length % kBlock);
      if (!write_blocks(disk, 1, g_bounce).ok())
        return -EIO;
    }
  }
  return 0;
}

int allocate_file(Inode* f, uint64_t offset, uint64_t len, bool keep_length) {
  FsLocked locked;
  drop_chunk_check(f);
  // Only holes are filled (with zeros); data already there stays.
  uint64_t end = offset + len;
  uint64_t b = offset / kBlock;
  uint64_t last = (end + kBlock - 1) / kBlock;
  while (b < last) {
    if (find_extent(f, b) >= 0) {
      ++b;
      continue;
    }
    uint64_t hole_end = next_after(f, b) < f->count ? f->extents[next_after(f, b)].file_block : last;
    if (hole_end > last)
      hole_end = last;
    uint64_t from = b * kBlock, to = hole_end * kBlock;
    auto r = write_file(f, from, nullptr, static_cast<size_t>(to - from), true);
    if (!r.ok())
      return r.error();
    if (*r < to - from)
      return -ENOSPC;
    b = hole_end;
  }
  if (!keep_length && end > f->length) {
    f->length = end;
    f->length_dirty = true;
    log::mark_dirty(f);
  }
  return 0;
}

void trim_file(Inode* f) {
  FsLocked locked;
  for (uint32_t i = 0; i < f->count; ++i) {
    FileExtent& e = f->extents[i];
    if (e.allocated > e.length) {
      free_space().release(e.disk_block + e.length, e.allocated - e.length);
      e.allocated = e.length;
      e.dirty = true;
      log::mark_dirty(f);
    }
  }
}

void release_file_blocks(Inode* f) {
  FsLocked locked;
  drop_chunk_check(f);
  for (uint32_t i = 0; i < f->count; ++i) {
    const FileExtent& e = f->extents[i];
    if (e.index && f->extents_index)
      (void)log::remove_extent(f->extents_index, e.file_block); // best effort: disk may be full
    free_space().release(e.disk_block, e.allocated);
  }
  kfree(f->extents);
  f->extents = nullptr;
  f->count = f->capacity = 0;
}

} // namespace fs
