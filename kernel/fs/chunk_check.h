// Checking a file's data against its chunk digests when it is first read (docs/kernel.md,
// "Content digest"). At mount only the image's metadata hash is checked; that hash covers
// each file tuple's `chunk_digests` (one XXH3-128 per 64 KiB chunk, lib/tfs/tfs_digest.h),
// so a chunk that hashes to its recorded digest is the data nanos-mkimage wrote. Every chunk
// is hashed once, the first time a read touches it, so a boot pays for what the program
// reads, not for the whole image.
#pragma once

#include "fs/inode.h"
#include "lib/error_or.h"
#include "lib/tfs/tfs.h"

#include <stddef.h>
#include <stdint.h>

namespace fs {

// What the kernel knows about one file's chunks: the recorded digests (a string of the
// decoded tree, which lives as long as the volume) and one state byte per chunk.
struct ChunkCheck {
  const tfs::Value* digests;
  uint64_t chunks;
  bool reported;  // the console line about a damaged chunk was printed
  uint8_t* state; // one per chunk (chunk_check.cc: unchecked, good, bad), allocated with it
};

// Mount turns the checks on once the metadata hash matched (fs/content_digest.cc); off, files
// get no ChunkCheck (images without `image_digest`, or checked eagerly at mount).
void set_chunk_checks(bool on);
bool chunk_checks_on();

// At tree build: the check for file tuple `file` of `length` bytes; nullptr when the checks
// are off or the file has no chunk digests. Sets *failed on -ENOMEM.
ChunkCheck* chunk_check_for(const tfs::Value* file, uint64_t length, bool* failed);

// Before reading [offset, offset + len) of `f` (len > 0, inside the file): hashes every chunk
// of the range not checked yet. Returns how many bytes from offset may be read: len when all
// chunks match, fewer when a later chunk does not; -EIO when the chunk holding `offset` does
// not match or cannot be read (the first mismatch prints one console line naming the file),
// -ENOMEM. Call with the file-system lock held.
ErrorOr<size_t> check_chunks(const Inode* f, uint64_t offset, size_t len);

// The file's data or length is about to change: its recorded digests stop applying.
void drop_chunk_check(Inode* f);

} // namespace fs
