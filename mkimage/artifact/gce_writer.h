// Google Compute Engine image tarball: a gzip-compressed tar holding one file, disk.raw, in
// GNU tar format (what GCE's image import reads), with a size that is a whole number of GiB.
#pragma once

#include "artifact/disk_source.h"
#include "artifact/sink.h"

namespace mkimage::artifact {

constexpr uint64_t kGceSizeUnit = 1ull << 30;

llvm::Error writeGceTarball(const DiskSource& disk, Sink& out);

} // namespace mkimage::artifact
