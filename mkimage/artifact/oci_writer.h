// OCI image layouts (OCI image spec v1.1 "image-layout"): oci-layout, index.json (one manifest,
// tag "latest") and blobs/sha256/ holding the config, the manifest and one gzip tar layer. Two
// kinds of layer: `oci` carries the raw disk as /disk.raw; `containerdisk` carries it as qcow2
// at /disk/disk.qcow2, owned by uid/gid 107 with mode 0440, where KubeVirt's containerDisk
// looks for it (the qemu user of virt-launcher is 107). Every digest is computed here; every
// timestamp is the epoch.
#pragma once

#include "artifact/disk_source.h"

#include <string>

namespace mkimage::artifact {

enum class OciLayer { RawDisk, ContainerDisk };

// Writes the layout into the existing empty directory `dir`.
llvm::Error writeOciLayout(const DiskSource& disk, OciLayer layer, const std::string& dir);

// Writes the directory `dir` (an OCI layout) as a tar archive (oci-archive) to `out`.
class Sink;
llvm::Error writeOciArchive(const std::string& dir, Sink& out);

} // namespace mkimage::artifact
