// nanos-run PROGRAM: an ELF program instead of an image is first turned into a temporary
// image by nanos-mkimage (with the --file/--dir/--env options and the arguments after
// "--"), which is booted like any image and removed afterwards.
#pragma once

#include "run_options.h"

#include <string>
#include <vector>

namespace runner {

// Whether path starts with the ELF magic (an image starts with a boot sector, a .zst image
// with the zstd magic).
bool isElfFile(const std::string& path);

// nanos-mkimage's command line for o.image (the program) into `output`: o.mkimageArgs as
// given, then one --arg per program argument (o.extraQemuArgs in PROGRAM mode).
std::vector<std::string> mkimageCommand(const RunOptions& o, const std::string& mkimage,
                                        const std::string& output);

// nanos-mkimage beside nanos-run (<bindir>/nanos-mkimage), else from PATH; "" if neither.
std::string findMkimage(const std::string& selfPath);

// A file name for the temporary image in $TMPDIR (or /tmp), created empty (mkstemps) so no
// other process can take the name; "" and `error` set on failure.
std::string createTemporaryImage(std::string& error);

} // namespace runner
