// The image content digest at mount (docs/image-format.md, "Content digest"): when the root
// tuple has `image_digest`, the volume's metadata and file data are hashed again and must
// match, or the boot stops with a line naming what differs. Once the kernel itself changes
// the volume (a --persist run), the digest no longer describes it: the first change removes
// the key (see volume.cc, write_blocks, and metadata_log.cc, ensure_tail).
#pragma once

#include "lib/error_or.h"
#include "lib/tfs/tfs.h"

namespace fs {

// Checks the digest of the decoded `volume` (no-op without the key). Prints one line and
// returns an error when it is malformed, cannot be computed, or does not match.
Status check_content_digest(const tfs::Volume& volume, uint64_t partition_blocks);

} // namespace fs
