// The file system layer's path-walk vocabulary (fs/path_walk.h) as the unix layer spells
// it: unix code names nodes and walks paths all over, so the names are brought in once here.
#pragma once

#include "fs/path_walk.h"

namespace unix {
using fs::kMaxPathLength;
using fs::kMaxSymlinkFollows;
using fs::NodeId;
using fs::PathTree;
using fs::PrefixCache;
using fs::walk_path;
} // namespace unix
