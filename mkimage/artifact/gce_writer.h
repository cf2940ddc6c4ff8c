// Google Compute Engine image tarball: a gzip-compressed tar holding one file, disk.raw, in
// GNU tar format (what GCE's image import reads), with a size that is a whole number of GiB.
// disk.raw is stored sparse (GNU's old sparse format, as `tar --format=oldgnu -S` writes, the
// command GCE's documentation gives): only its 4 KiB pages that hold a non-zero byte are in
// the archive, so the tar of a mostly empty 1 GiB disk is small even before gzip.
#pragma once

#include "artifact/disk_source.h"
#include "artifact/sink.h"
#include "artifact/tar_writer.h"

#include <vector>

namespace mkimage::artifact {

constexpr uint64_t kGceSizeUnit = 1ull << 30;

llvm::Error writeGceTarball(const DiskSource& disk, Sink& out);

// The sparse map of a `size`-byte disk from which of its `chunk`-sized pieces hold data
// (DiskSource::nonZeroChunks): adjacent pieces merged, and an empty region at the end when
// the disk ends in zeros.
std::vector<SparseRegion> dataRegions(const std::vector<bool>& nonZero, uint64_t chunk,
                                      uint64_t size);

} // namespace mkimage::artifact
