// Minimal versions of the files glibc's NSS reads, for images of programs that look up
// users, groups or host names: enough for "root", "localhost" and DNS through QEMU's
// user-mode network.
#pragma once

#include <string>
#include <vector>

namespace mkimage {

struct GeneratedFile {
  std::string guestPath;
  std::string contents;
};

const std::vector<GeneratedFile>& minimalNssFiles();

} // namespace mkimage
