// Files backed by a node of the root tree: regular TFS files, directories and the snapshot
// files (/proc/self/maps and other generated or text content captured at open).
#pragma once

#include "fs/tree.h"
#include "unix/fd/file_ops.h"

#include <stdint.h>

namespace unix {

extern const FileOps kRegularFileOps;
extern const FileOps kDirectoryOps;
extern const FileOps kSnapshotOps; // content in File::data, freed with the file

// A write of kernel memory to a regular file at *pos (advanced), as write() would do it
// (O_APPEND, EBADF for a read-only file, EFBIG): sendfile's destination.
ErrorOr<size_t> regular_write_kernel(File& f, const uint8_t* src, size_t len, uint64_t* pos);

// st_size of a node: a file's length, a symlink's target length, 4096 for a directory.
uint64_t node_size(const fs::Node* n);

} // namespace unix
