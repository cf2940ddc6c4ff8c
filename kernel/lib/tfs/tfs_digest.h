// The content digest of a TFS volume (docs/image-format.md, "Content digest"): nanos-mkimage
// stores it under the root-tuple key `image_digest`, the kernel recomputes it at mount and
// refuses an image whose metadata or file data changed. Two XXH3-128 hashes, so that a
// mismatch can say which part changed:
//   metadata: the volume's UUID and label, and the decoded root tuple (every name, string,
//             integer, tuple and vector, in decoded order), without `image_digest` itself;
//   data:     the blocks of every file extent (`length` blocks at `offset`), in the order
//             the metadata walk meets them; uninitialised extents have no blocks to read.
// Computed on the decoded tree, so any writer's encoding of the same tree hashes the same.
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

} // namespace tfs
