// Files that are devices: the serial console behind descriptors 0-2 and the character
// devices /dev/null, /dev/zero and /dev/urandom (also /dev/random).
#pragma once

#include "unix/fd/file_ops.h"

namespace unix {

extern const FileOps kConsoleOps;
extern const FileOps kNullOps;
extern const FileOps kZeroOps;
extern const FileOps kRandomOps;

} // namespace unix
