// Fixed VHD (Microsoft "Virtual Hard Disk Image Format Specification"): the disk bytes as they
// are, followed by the 512-byte footer. Azure takes only fixed VHDs whose virtual size is a
// whole number of MiB, so that is the rule here too.
#pragma once

#include "artifact/disk_source.h"
#include "artifact/sink.h"

namespace mkimage::artifact {

struct VhdGeometry {
  uint16_t cylinders = 0;
  uint8_t heads = 0, sectorsPerTrack = 0;
};

// The CHS geometry the specification's algorithm gives for `size` bytes.
VhdGeometry vhdGeometry(uint64_t size);

// The footer for a fixed disk of `size` bytes with `uniqueId` (16 bytes).
std::string vhdFooter(uint64_t size, llvm::StringRef uniqueId);

// Largest fixed VHD size the format's geometry and Azure allow (2040 GiB).
constexpr uint64_t kVhdMaxSize = 2040ull << 30;

llvm::Error writeVhd(const DiskSource& disk, Sink& out);

// Copies the disk to `out`, leaving runs of zeros to the sink (holes in a file): raw and VHD.
llvm::Error copyDisk(const DiskSource& disk, Sink& out);

} // namespace mkimage::artifact
