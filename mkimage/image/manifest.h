// The root tuple's configuration keys (spec §4.3) from the build options: program,
// arguments, environment, cwd, debug_exit, nameservers and every --set key (dotted keys
// nest).
#pragma once

#include "image/build_options.h"
#include "image/tfs_value.h"

namespace mkimage {

llvm::Error addManifestKeys(TfsValue& root, const BuildOptions& options,
                            const std::string& programGuestPath, const std::string& argv0);

} // namespace mkimage
