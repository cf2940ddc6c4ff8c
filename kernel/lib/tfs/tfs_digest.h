// The content digest of a TFS volume (docs/image-format.md, "Content digest"): nanos-mkimage
// stores it under the root-tuple key `image_digest`, the kernel recomputes it at mount and
// refuses an image whose metadata or file data changed. Two XXH3-128 hashes, so that a
// mismatch can say which part changed:
//   metadata: the volume's UUID and label, and the decoded root tuple (every name, string,
//             integer, tuple and vector, in decoded order), without `image_digest` itself;
//   data:     the blocks of every file extent (`length` blocks at `offset`), in the order
//             the metadata walk meets them; uninitialised extents have no blocks to read.
// Computed on the decoded tree, so any writer's encoding of the same tree hashes the same.
// Each file tuple also carries `chunk_digests`, one XXH3-128 per 64 KiB chunk of its data,
// so that the kernel can check a file's data when it is first read instead of hashing every
// file at mount (the metadata hash covers these digests like any other attribute).
// Freestanding like the rest of the codec (kernel and nanos-mkimage share it).
#pragma once

#include "lib/tfs/tfs.h"
#include "lib/xxh3/xxh3.h"

#include <stddef.h>
#include <stdint.h>

namespace tfs {

inline constexpr Key kDigestKey{"image_digest"};

struct ContentDigest {
  xxh3::Hash128 metadata;
  xxh3::Hash128 data;
};

// "xxh3-128:" 32 hex digits (metadata) ":" 32 hex digits (data).
constexpr size_t kDigestTextLength = 9 + 32 + 1 + 32;
void format_digest(const ContentDigest& d, char out[kDigestTextLength + 1]);
// False unless `text` is exactly that form.
bool parse_digest(const uint8_t* text, size_t len, ContentDigest* out);

enum class DigestError : uint8_t {
  kNone,
  kIo,       // a file's blocks could not be read
  kTooLarge, // the tree is too deep, shares subtrees or loops (references), or extents
             // cover more blocks than the partition has (a block belongs to one file at most)
};
struct DigestStatus {
  DigestError error = DigestError::kNone;
  const char* what = nullptr; // one line, static
  bool ok() const { return error == DigestError::kNone; }
};

// Hashes the decoded `volume` (file data read through `reader`, `buffer_blocks` blocks at a
// time into `buffer`; at least 1).
DigestStatus compute_digest(const Volume& volume, const BlockReader& reader,
                            uint64_t partition_blocks, void* buffer, uint32_t buffer_blocks,
                            ContentDigest* out);

// The metadata hash alone (no file data is read), and how many files hold data blocks but no
// usable `chunk_digests` (*uncovered_files: such a file's data can only be checked by the
// data hash, e.g. in an image of an older nanos-mkimage).
DigestStatus compute_metadata_digest(const Volume& volume, uint64_t partition_blocks,
                                     xxh3::Hash128* metadata, uint64_t* uncovered_files);

// ---- chunk digests (docs/image-format.md, "Chunk digests") ----
// A file's data is cut into chunks of kChunkBlocks blocks of its block space: chunk i is file
// blocks [i * kChunkBlocks, min((i + 1) * kChunkBlocks, ceil(filelength / 512))), read
// through its extents (blocks outside every extent, or in `uninited` ones, as zeros), whole
// blocks (the zero tail of the last one included). `chunk_digests` is a string of
// chunk_count(filelength) digests, kChunkDigestText hex characters each (xxh3::to_hex form).
inline constexpr Key kChunkDigestsKey{"chunk_digests"};
constexpr uint32_t kChunkBlocks = 128; // 64 KiB
constexpr size_t kChunkDigestText = xxh3::kHexLength;
uint64_t chunk_count(uint64_t filelength);
// Blocks in chunk `index` of a file of `filelength` bytes (0 past the last chunk).
uint32_t chunk_blocks(uint64_t filelength, uint64_t index);
// The `chunk_digests` value of the file tuple `file` when it is a string of exactly
// chunk_count(filelength) digests; nullptr otherwise (absent or malformed).
const Value* chunk_digests_of(const Value* file, uint64_t filelength);
// Whether `bytes` bytes of chunk data hash to digest `index` of `digests` (from
// chunk_digests_of).
bool chunk_matches(const Value* digests, uint64_t index, const void* data, size_t bytes);

} // namespace tfs
