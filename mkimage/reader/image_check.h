// The content check of `nanos-mkimage verify`, with or without a BOM: the whole tree of both
// partitions decodes (the codec the kernel runs), every extent lies inside its partition, no
// block belongs to two owners (log extensions, files; identical extent lists are one file's
// hard links), and every regular file's blocks can be read.
#pragma once

#include "reader/image_reader.h"

namespace mkimage::reader {

struct ContentSummary {
  uint64_t files = 0; // regular files read (hard links once), both partitions
  uint64_t bytes = 0; // their lengths
};

// Errors are one line naming the image, the partition and the file.
llvm::Expected<ContentSummary> checkContents(const DecodedImage& image);

} // namespace mkimage::reader
