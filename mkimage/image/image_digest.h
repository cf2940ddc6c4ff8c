// The image content digest nanos-mkimage writes into the root tuple (`image_digest`,
// docs/image-format.md "Content digest"): computed with the kernel's own code
// (kernel/lib/tfs/tfs_digest.h) on the root partition as written, decoded back, so that
// the writer and the kernel hash exactly the same tree.
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mkimage {

// The text value of `image_digest` for the TFS partition of `blocks` 512-byte blocks at byte
// `offset` of the file open as `fd` (`name` for errors).
llvm::Expected<std::string> imageDigestOf(int fd, uint64_t offset, uint64_t blocks,
                                          const std::string& name);

// When the root tuple of that partition has `image_digest`: recomputes it and fails with
// one line naming the part that differs (as the kernel does at mount). Sets *checked.
llvm::Error checkImageDigest(int fd, uint64_t offset, uint64_t blocks, const std::string& name,
                             bool* checked);

// The `chunk_digests` value of a file of `size` bytes whose data starts at byte `offset` of
// `fd` (kernel/lib/tfs/tfs_digest.h: one XXH3-128 in hex per 64 KiB chunk).
llvm::Expected<std::string> chunkDigestsOf(int fd, uint64_t offset, uint64_t size,
                                           const std::string& name);
// A placeholder of that value's length.
std::string chunkDigestsPlaceholder(uint64_t size);

// A value of the same length, for laying the image out before the digest is known (the
// digest leaves the key out, and the same length keeps every block where it was).
std::string imageDigestPlaceholder();

} // namespace mkimage
