// The root TFS volume: found through the MBR of the root disk, decoded once at boot with the
// shared codec (lib/tfs), and read through the block device. Its root tuple is both the root
// directory and the manifest (spec §2.6, §4.3).
#pragma once

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

// `filelength` of a file tuple (0 when absent or malformed).
uint64_t file_length(const tfs::Value* file);

// Reads up to len bytes of a file at offset, clipped to its length; parts no extent covers
// (and uninited extents) read as zeros. Returns the number of bytes read or -EIO.
ErrorOr<size_t> read_file(const tfs::Value* file, uint64_t offset, void* buf, size_t len);

} // namespace fs
