// VMDK stream-optimized sparse extent (VMware "Virtual Disk Format 5.0", the form vSphere and
// OVF import): header, embedded descriptor, then each non-zero 64 KiB grain deflated with its
// LBA, each grain table after its grains, the grain directory, a footer holding the header again
// with the directory's offset, and an end-of-stream marker. All-zero grains are left out.
#pragma once

#include "artifact/disk_source.h"
#include "artifact/sink.h"

namespace mkimage::artifact {

struct VmdkOptions {
  unsigned threads = 0; // grain compressors (0 = number of CPUs); the output does not depend on it
};

// The disk size must be a multiple of 512.
llvm::Error writeVmdk(const DiskSource& disk, const VmdkOptions& options, Sink& out);

// The embedded descriptor text (exposed for the unit test).
std::string vmdkDescriptor(const DiskSource& disk);

} // namespace mkimage::artifact
