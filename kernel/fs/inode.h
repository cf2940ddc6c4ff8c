// A regular file's content as the kernel keeps it while it runs: its length, its extents
// (spec §3.5) and where they are in the log. Names in the tree point at an Inode; two names
// pointing at one Inode are hard links.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace fs {

struct ChunkCheck; // fs/chunk_check.h

struct FileExtent {
  uint64_t file_block; // first file block (the key in the extents tuple)
  uint64_t disk_block; // partition-relative
  uint64_t length;     // blocks holding data
  uint64_t allocated;  // blocks reserved on disk (>= length: room to grow in place)
  uint32_t index;      // dictionary number of its tuple; 0 = not written to the log yet
  bool uninited;       // preallocated, reads as zeros (only from images; never created here)
  bool dirty;          // length or flags changed since the last flush
};

struct Inode {
  uint64_t length = 0;
  FileExtent* extents = nullptr; // sorted by file_block, not overlapping
  uint32_t count = 0, capacity = 0;
  uint32_t tuple_index = 0;   // the file tuple in the log (0: none, e.g. tmpfs)
  uint32_t extents_index = 0; // its extents tuple
  uint64_t mtime = 0, atime = 0; // TFS times: 32.32 fixed-point seconds since the epoch
  uint32_t number = 0;           // st_ino: the node id of its first name
  int links = 0;                 // names in the tree
  int opens = 0;                 // open files referring to it
  bool length_dirty = false, times_dirty = false;
  bool on_dirty_list = false;
  Inode* next_dirty = nullptr;
  ChunkCheck* chunks = nullptr; // chunk digests still to check reads against (nullptr: none)
};

} // namespace fs
