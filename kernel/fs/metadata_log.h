// Changes to the root TFS as records appended to its log (spec §3.4, §3.9). Directory
// changes are appended (in memory) at once, so that every node always has its dictionary
// number; file lengths, extents and times are batched: a file is marked dirty and written
// as a few records at the next flush (fsync, sync, program exit). flush() also writes the
// log's changed blocks and flushes the disk.
#pragma once

#include "fs/inode.h"
#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace fs::log {

// Opens the log for appending (after mount_root). On failure the volume becomes read-only.
void open();
bool is_open();

struct NewEntry {
  uint32_t tuple;    // the new node's tuple
  uint32_t children; // directories: their children tuple; files: their extents tuple
};
// children = dictionary number of the parent directory's children tuple.
ErrorOr<NewEntry> add_file(uint32_t children, const char* name);
ErrorOr<NewEntry> add_directory(uint32_t children, const char* name);
ErrorOr<NewEntry> add_symlink(uint32_t children, const char* name, const char* target);
// name -> the existing tuple `tuple` (rename, hard link).
Status add_reference(uint32_t children, const char* name, uint32_t tuple);
// Removes the entry `name` (unlink, rmdir, the old name of a rename).
Status remove_entry(uint32_t children, const char* name);
// Both of a rename in one record when the directory is the same: new -> tuple, old removed.
Status move_entry(uint32_t children, const char* old_name, const char* new_name, uint32_t tuple);
// Removes the extent keyed `file_block` from an extents tuple.
Status remove_extent(uint32_t extents, uint64_t file_block);
// Sets a number attribute of a tuple (a file's `nlink`) / removes an attribute (`uninited`).
Status set_number(uint32_t tuple, const char* name, uint64_t value);
Status remove_attribute(uint32_t tuple, const char* name);

// Queues a file whose length, extents or times changed.
void mark_dirty(Inode* file);
// Forgets a file that no longer has a name (its records would be unreachable).
void forget(Inode* file);

// Writes every dirty file's records, the log's new blocks, and flushes the disk.
Status flush();

// On an image with `image_digest`: the first change the kernel makes removes the key (it
// would no longer match). Metadata changes get the removal as the first record appended
// (ensure_tail); this writes it to the disk and flushes before the first file data write.
Status remove_image_digest_now();

} // namespace fs::log
