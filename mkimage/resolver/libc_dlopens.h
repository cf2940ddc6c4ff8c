// The libraries glibc itself dlopen()s by name at run time, which no DT_NEEDED names: a
// program that never loads them at start-up still needs them in the image the first time it
// reaches the code that does. See docs/resolver.md ("libc's own dlopen()s").
#pragma once

#include <vector>

namespace mkimage {

struct LibcDlopen {
  const char* name; // what glibc passes to dlopen()
  // NSS modules must be of the same glibc build as libc.so.6: taken only from libc's own
  // directory. Other libraries are found like any dlopen() from libc.so.6.
  bool nssModule;
  const char* why; // for `deps` and the BOM: when glibc opens it
};

// glibc 2.36 (Debian 12), in the order they are resolved.
const std::vector<LibcDlopen>& libcDlopens();

} // namespace mkimage
