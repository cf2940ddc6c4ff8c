// tar headers (POSIX.1-1988 ustar and GNU's "ustar  " variant) for the artifacts that are
// archives: GCE's disk.raw tarball (GNU, as GCE's import documents) and OCI layers. Every
// entry has mtime 0 and the owner it is given, so archives are reproducible.
#pragma once

#include "artifact/sink.h"

#include <string>
#include <vector>

namespace mkimage::artifact {

enum class TarFormat { Ustar, Gnu };

struct TarEntry {
  std::string name; // relative, at most 100 bytes ("disk/", "disk/disk.qcow2")
  char type = '0';  // '0' regular file, '5' directory
  uint32_t mode = 0644;
  uint32_t uid = 0, gid = 0;
  std::string owner = "root", group = "root";
  uint64_t size = 0; // regular files
};

// One 512-byte header. Sizes that do not fit 11 octal digits (8 GiB and more) use the base-256
// form GNU tar introduced (and POSIX readers accept in practice). Errors: a name too long.
llvm::Expected<std::string> tarHeader(const TarEntry& entry, TarFormat format);

// A stretch of a sparse file that holds data; the rest of the file reads as zeros.
struct SparseRegion {
  uint64_t offset = 0, length = 0;
};

// GNU's old sparse format (type 'S', what `tar --format=oldgnu -S` writes and GCE's import
// reads): the header for a regular file of entry.size bytes of which only `regions` (in
// increasing order, not overlapping) are stored, followed by as many extension headers as
// the map needs beyond the four entries the header holds. The stored data is the regions'
// bytes one after the other: the caller writes those, then calls endTarFile. A file that ends
// in a hole must end its map with an empty region at entry.size (as GNU tar does), so
// readers know the size from the map as well.
llvm::Expected<std::string> gnuSparseHeaders(const TarEntry& entry,
                                             const std::vector<SparseRegion>& regions);

// Writes the header; the caller then writes exactly entry.size bytes and calls endTarFile.
llvm::Error beginTarFile(Sink& out, const TarEntry& entry, TarFormat format);
// Pads the file's data to the next 512-byte block.
llvm::Error endTarFile(Sink& out);
// The two zero blocks that end an archive, padded to GNU tar's 10 KiB record.
llvm::Error endTarArchive(Sink& out);

} // namespace mkimage::artifact
