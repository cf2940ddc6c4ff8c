// Reading and writing a regular file's data through its extents. Data goes straight to the
// disk blocks of the extents; the metadata changes (new extents, lengths) are only marked
// dirty here and reach the log at the next flush (fs/metadata_log.h).
//
// Invariant kept by every operation: bytes of an extent past the file's length are zeros,
// so growing a file (truncate up, a write past the end) never shows old data.
#pragma once

#include "fs/inode.h"
#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace fs {

// Blocks file data never takes, so that the records describing data already written still
// fit when the disk is otherwise full (on top of the spare log extension, metadata_log.cc).
constexpr uint64_t kLogReserveBlocks = 1024 + 64;

uint64_t file_length(const Inode* file); // 0 for nullptr

// Reads up to len bytes at offset, clipped to the length; holes read as zeros.
ErrorOr<size_t> read_file(const Inode* file, uint64_t offset, void* buf, size_t len);

// Writes len bytes (buf == nullptr: zeros) at offset, allocating blocks for holes, and grows
// the length unless keep_length. Returns the bytes written (short when the disk fills up
// part-way) or -ENOSPC / -EIO / -ENOMEM when nothing was written.
ErrorOr<size_t> write_file(Inode* file, uint64_t offset, const void* buf, size_t len,
                           bool keep_length = false);

// Sets the length. Shrinking frees the blocks past the end and zeroes the tail of the last
// block. Returns 0 or -EIO / -ENOMEM.
int truncate_file(Inode* file, uint64_t length);

// fallocate: blocks for [offset, offset+len) (zero-filled), length grown unless keep_length.
int allocate_file(Inode* file, uint64_t offset, uint64_t len, bool keep_length);

// Gives back the blocks reserved behind the data (the last open file of it was closed).
void trim_file(Inode* file);

// Gives every block of the file back to the free space (the file's last name and last open
// file are gone). Logged extents are removed from the log first so that no later reader
// sees two files claiming one block.
void release_file_blocks(Inode* file);

// lseek SEEK_DATA / SEEK_HOLE: the first offset >= offset inside an extent / outside every
// extent (uninited extents count as data, as Linux shows preallocated space).
uint64_t next_data(const Inode* file, uint64_t offset);
uint64_t next_hole(const Inode* file, uint64_t offset);

// Blocks the file holds on disk (st_blocks).
uint64_t file_blocks(const Inode* file);

} // namespace fs
