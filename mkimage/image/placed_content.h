// What the user places in the image besides the program and its libraries: --dir, --file
// and --package content, and the ELF objects among it, whose own libraries the resolver adds
// (docs/mkimage.md, "Plug-ins"). Shared by `build` and `deps`.
#pragma once

#include "image/build_options.h"
#include "image/guest_tree.h"
#include "resolver/resolver.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mkimage {

struct PlacedContent {
  const std::vector<PathMapping>& files;
  const std::vector<PathMapping>& dirs;
  const std::vector<std::string>& packages;
  const std::string& sysroot;
};

// Adds the mappings and the packages' files to `tree` (in a canonical order, so clash
// messages do not depend on the order of options); every host path read goes to `consulted`.
llvm::Error addPlacedContent(const PlacedContent& content, GuestTree& tree,
                             std::vector<std::string>& consulted);

// The regular files in `tree` that are x86-64 ELF objects, except the one at `exceptGuest`
// (the program), in guest path order: the plug-ins to resolve.
std::vector<ResolveOptions::Plugin> placedElfObjects(const GuestTree& tree,
                                                     const std::string& exceptGuest);

} // namespace mkimage
