#include "fs/metadata_log.h"

#include "fs/fs_lock.h"
#include "fs/volume.h"
#include "lib/errno.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "lib/tfs/tfs_append.h"
#include "lib/tfs/tfs_digest.h"
#include "mm/heap.h"

namespace fs::log {
namespace {

tfs::Dictionary g_dict;
tfs::LogTail g_tail;
bool g_open = false;
Inode* g_dirty = nullptr;
// One record at a time (the kernel does not sleep while building one). Big enough for a
// name (255 bytes) and a symlink target (4096) with their headers.
uint8_t g_record[8192];
// A log extension's worth of blocks set aside at mount, so that the log can always grow
// once more when data filled the disk (spec §1.6 has the upstream kernel do the same).
uint64_t g_spare = 0;

void* heap_alloc(void*, size_t size) {
  return kmalloc(size);
}
void heap_free(void*, void* p) {
  kfree(p);
}
bool read_for_codec(void*, uint64_t block, uint32_t count, void* buf) {
  return read_blocks(block, count, buf).ok();
}
bool write_for_codec(void*, uint64_t block, uint32_t count, const void* buf) {
  return write_log_blocks(block, count, buf).ok();
}
bool new_extension(void*, uint64_t nblocks, uint64_t* block) {
  if (g_spare && nblocks == tfs::kExtensionBlocks) {
    *block = g_spare;
    g_spare = 0;
    uint64_t again;
    if (free_space().allocate_exact(tfs::kExtensionBlocks, &again))
      g_spare = again;
    return true;
  }
  return free_space().allocate_exact(nblocks, block);
}

const tfs::BlockWriter kWriter{write_for_codec, nullptr};
const tfs::ExtensionSource kSource{new_extension, nullptr};

int to_errno(tfs::AppendResult r) {
  switch (r) {
  case tfs::AppendResult::kOk:
    return 0;
  case tfs::AppendResult::kNoSpace:
    return -ENOSPC;
  case tfs::AppendResult::kNoMemory:
    return -ENOMEM;
  case tfs::AppendResult::kTooLarge:
    return -ENAMETOOLONG;
  default:
    return -EIO;
  }
}

// Builds one record with `build` and appends it; on any failure the dictionary numbers it
// took are given back, so the log and the dictionary never disagree.
bool ensure_tail();

template <typename Build> int append(Build build) {
  FsLocked locked;
  if (!g_open)
    return -EROFS;
  if (!ensure_tail())
    return -EIO;
  tfs::Dictionary::Mark mark = g_dict.mark();
  tfs::RecordBuilder rb(g_dict, g_record, sizeof g_record);
  build(rb);
  if (!rb.ok()) {
    g_dict.rollback(mark);
    return -ENOMEM;
  }
  int r = to_errno(g_tail.append(g_record, rb.size(), kWriter, kSource));
  if (r < 0)
    g_dict.rollback(mark);
  return r;
}

Status status_of(int r) {
  if (r < 0)
    return Err(r);
  return status_ok();
}

} // namespace

namespace {
bool g_tail_ready = false;

// The first record after the writer's log: the root tuple (dictionary entry 1) loses
// `image_digest`, since the volume is about to differ from what was hashed.
bool append_digest_removal() {
  tfs::Dictionary::Mark mark = g_dict.mark();
  tfs::RecordBuilder rb(g_dict, g_record, sizeof g_record);
  rb.tuple_ref(volume().root->index, 1);
  rb.name("image_digest");
  rb.remove();
  if (!rb.ok() || g_tail.append(g_record, rb.size(), kWriter, kSource) != tfs::AppendResult::kOk) {
    g_dict.rollback(mark);
    return false;
  }
  return true;
}

// The dictionary and the tail extension (512 KiB) are loaded at the first change, not at
// boot: a program that writes nothing pays nothing for them.
bool ensure_tail() {
  if (g_tail_ready)
    return true;
  tfs::Allocator alloc{heap_alloc, heap_free, nullptr};
  tfs::BlockReader reader{read_for_codec, nullptr};
  if (!g_dict.init(alloc, volume())) {
    kprintf("root filesystem: out of memory for the log dictionary; now read-only\n");
    g_open = false;
    set_read_only();
    return false;
  }
  if (g_tail.open(alloc, reader, volume()) != tfs::AppendResult::kOk) {
    kprintf("root filesystem: cannot read the end of the log; now read-only\n");
    g_dict.release();
    g_open = false;
    set_read_only();
    return false;
  }
  g_tail_ready = true;
  if (tfs::get(volume().root, tfs::kDigestKey) && !append_digest_removal()) {
    kprintf("root filesystem: cannot record the removal of image_digest; now read-only\n");
    g_open = false;
    set_read_only();
    return false;
  }
  return true;
}
} // namespace

void open() {
  FsLocked locked;
  if (!writable())
    return;
  if (!free_space().allocate_exact(tfs::kExtensionBlocks, &g_spare))
    g_spare = 0;
  g_open = true;
}

bool is_open() {
  return g_open;
}

ErrorOr<NewEntry> add_file(uint32_t children, const char* name) {
  NewEntry e{};
  int r = append([&](tfs::RecordBuilder& rb) {
    rb.tuple_ref(children, 1);
    rb.name(name);
    e.tuple = rb.tuple(2);
    rb.name("extents");
    e.children = rb.tuple(0);
    rb.name("filelength");
    rb.integer(0);
  });
  if (r < 0)
    return Err(r);
  return e;
}

ErrorOr<NewEntry> add_directory(uint32_t children, const char* name) {
  NewEntry e{};
  int r = append([&](tfs::RecordBuilder& rb) {
    rb.tuple_ref(children, 1);
    rb.name(name);
    e.tuple = rb.tuple(1);
    rb.name("children");
    e.children = rb.tuple(0);
  });
  if (r < 0)
    return Err(r);
  return e;
}

ErrorOr<NewEntry> add_symlink(uint32_t children, const char* name, const char* target) {
  NewEntry e{};
  int r = append([&](tfs::RecordBuilder& rb) {
    rb.tuple_ref(children, 1);
    rb.name(name);
    e.tuple = rb.tuple(1);
    rb.name("linktarget");
    rb.string(target, strlen(target));
  });
  if (r < 0)
    return Err(r);
  return e;
}

Status add_reference(uint32_t children, const char* name, uint32_t tuple) {
  return status_of(append([&](tfs::RecordBuilder& rb) {
    rb.tuple_ref(children, 1);
    rb.name(name);
    rb.tuple_ref(tuple, 0);
  }));
}

Status remove_entry(uint32_t children, const char* name) {
  return status_of(append([&](tfs::RecordBuilder& rb) {
    rb.tuple_ref(children, 1);
    rb.name(name);
    rb.remove();
  }));
}

Status move_entry(uint32_t children, const char* old_name, const char* new_name, uint32_t tuple) {
  return status_of(append([&](tfs::RecordBuilder& rb) {
    rb.tuple_ref(children, 2);
    rb.name(new_name);
    rb.tuple_ref(tuple, 0);
    rb.name(old_name);
    rb.remove();
  }));
}

Status remove_extent(uint32_t extents, uint64_t file_block) {
  return status_of(append([&](tfs::RecordBuilder& rb) {
    rb.tuple_ref(extents, 1);
    rb.decimal_name(file_block);
    rb.remove();
  }));
}

Status set_number(uint32_t tuple, const char* name, uint64_t value) {
  return status_of(append([&](tfs::RecordBuilder& rb) {
    rb.tuple_ref(tuple, 1);
    rb.name(name);
    rb.integer(value);
  }));
}

Status remove_attribute(uint32_t tuple, const char* name) {
  return status_of(append([&](tfs::RecordBuilder& rb) {
    rb.tuple_ref(tuple, 1);
    rb.name(name);
    rb.remove();
  }));
}

void mark_dirty(Inode* f) {
  FsLocked locked;
  if (!g_open || f->on_dirty_list || !f->tuple_index)
    return;
  f->on_dirty_list = true;
  f->next_dirty = g_dirty;
  g_dirty = f;
}

void forget(Inode* f) {
  FsLocked locked;
  for (Inode** p = &g_dirty; *p; p = &(*p)->next_dirty) {
    if (*p == f) {
      *p = f->next_dirty;
      f->on_dirty_list = false;
      return;
    }
  }
}

namespace {
// The records of one dirty file: new extents, changed extents, length, times.
int flush_file(Inode* f) {
  for (uint32_t i = 0; i < f->count; ++i) {
    FileExtent& e = f->extents[i];
    if (!e.dirty)
      continue;
    int r;
    if (!e.index) {
      uint32_t index = 0;
      r = append([&](tfs::RecordBuilder& rb) {
        rb.tuple_ref(f->extents_index, 1);
        rb.decimal_name(e.file_block);
        index = rb.tuple(3);
        rb.name("offset");
        rb.integer(e.disk_block);
        rb.name("length");
        rb.integer(e.length);
        rb.name("allocated");
        rb.integer(e.allocated);
      });
      if (r == 0)
        e.index = index;
    } else {
      r = append([&](tfs::RecordBuilder& rb) {
        rb.tuple_ref(e.index, 2);
        rb.name("length");
        rb.integer(e.length);
        rb.name("allocated");
        rb.integer(e.allocated);
      });
    }
    if (r < 0)
      return r;
    e.dirty = false;
  }
  if (f->length_dirty || f->times_dirty) {
    int r = append([&](tfs::RecordBuilder& rb) {
      rb.tuple_ref(f->tuple_index, f->times_dirty ? 3 : 1);
      rb.name("filelength");
      rb.integer(f->length);
      if (f->times_dirty) {
        rb.name("mtime");
        rb.integer(f->mtime);
        rb.name("atime");
        rb.integer(f->atime);
      }
    });
    if (r < 0)
      return r;
    f->length_dirty = f->times_dirty = false;
  }
  return 0;
}
} // namespace

Status flush() {
  FsLocked locked;
  if (!g_open)
    return status_ok();
  int err = 0;
  while (g_dirty) {
    Inode* f = g_dirty;
    int r = f->links > 0 ? flush_file(f) : 0;
    if (r < 0) {
      err = r; // stays queued for the next flush
      break;
    }
    g_dirty = f->next_dirty;
    f->on_dirty_list = false;
    f->next_dirty = nullptr;
  }
  int r = g_tail_ready ? to_errno(g_tail.flush(kWriter)) : 0;
  if (!err)
    err = r;
  if (!flush_disk().ok() && !err)
    err = -EIO;
  if (err < 0)
    return Err(err);
  return status_ok();
}

Status remove_image_digest_now() {
  FsLocked locked;
  if (!g_open)
    return Err(-EROFS);
  if (!ensure_tail())
    return Err(-EIO);
  int r = to_errno(g_tail.flush(kWriter));
  if (r < 0)
    return Err(r);
  return flush_disk();
}

} // namespace fs::log
