// Content of the generated /proc files (captured when they are opened) and the listing of
// /proc/self/fd.
#pragma once

#include <stddef.h>

namespace unix {

// Each returns a kmalloc'ed buffer (nullptr when out of memory) and its length.
char* render_maps(size_t* len);    // /proc/self/maps
char* render_meminfo(size_t* len); // /proc/meminfo
char* render_cpuinfo(size_t* len); // /proc/cpuinfo
// Rebuilds /proc/self/fd from the descriptor table (fs::set_fd_dir_refresh hook).
void refresh_fd_dir();

} // namespace unix
