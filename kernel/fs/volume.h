// The root TFS volume: found through the MBR of the root disk, decoded once at boot with the
// shared codec (lib/tfs), and read and written through the block device. Its root tuple is
// both the root directory and the manifest (spec §2.6, §4.3).
#pragma once

#include "fs/file_data.h" // read_file/file_length, which readers of files include this for
#include "fs/free_space.h"
#include "lib/error_or.h"
#include "lib/tfs/tfs.h"

#include <stddef.h>
#include <stdint.h>

namespace fs {

// Mounts the root TFS of block::root_disk(): MBR partition entry 1 (entry 2 when entry 0 is
// an EFI system partition, type 0xEF), or the whole disk when it has no MBR signature.
// Prints one line naming the problem and returns an errno on failure.
Status mount_root();

// Root tuple of the mounted volume (nullptr before mount_root succeeded).
const tfs::Value* root_tuple();
const tfs::Volume& volume();

// False when writes must fail with -EROFS: `readonly_rootfs` in the manifest, a read-only
// disk, a version 4 log, or a log the kernel could not open for appending.
bool writable();
void set_read_only();

// Partition-relative block I/O (bounds-checked): -EIO on device errors or out-of-range blocks.
// write_blocks is for file data: on an image with `image_digest`, its first call first has
// the log record the key's removal (fs/content_digest.h). The log's own writes use
// write_log_blocks.
Status read_blocks(uint64_t block, uint64_t count, void* buf);
Status write_blocks(uint64_t block, uint64_t count, const void* buf);
Status write_log_blocks(uint64_t block, uint64_t count, const void* buf);
Status flush_disk();

// Free blocks of the partition; filled at mount (block 0 and the log) and by build_tree
// (every extent it finds).
FreeSpace& free_space();
uint64_t partition_blocks();

// At program exit: writes every pending change (fs::log::flush) and says so if that failed.
void flush_at_exit();

} // namespace fs
