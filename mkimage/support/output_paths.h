// The rules every file `build` writes obeys (docs/mkimage.md, "Output files"):
//  * an output that exists must be a regular file: a device node, FIFO, socket, directory or
//    symbolic link is refused, never replaced (as root, `-o /dev/null` would otherwise delete
//    /dev/null; a symlink is refused rather than written through so that the file replaced is
//    always the one named);
//  * an output may not be one of the build's inputs (a failed build removes its outputs);
//  * a build is all or nothing: on failure every output named so far is removed, like Make's
//    .DELETE_ON_ERROR, so no stale output survives.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mkimage {

struct OutputPath {
  std::string path;   // "" = not requested
  std::string option; // "-o", "--bom", "--depfile" for messages
};

// Refuses an output that exists and is not a regular file, two options naming one file, and
// an output that is the same file as one of `inputs` (checked by device and inode).
llvm::Error checkOutputPaths(llvm::ArrayRef<OutputPath> outputs,
                             llvm::ArrayRef<std::string> inputs);

// Removes each output that is a regular file, unless it is one of `inputs`. Errors are
// ignored: this runs after a failure that is being reported already.
void removeFailedOutputs(llvm::ArrayRef<OutputPath> outputs, llvm::ArrayRef<std::string> inputs);

} // namespace mkimage
