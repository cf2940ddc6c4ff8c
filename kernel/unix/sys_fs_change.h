// The syscalls that change the root filesystem's tree and files (mkdir, unlink, rename,
// symlink, link, truncate, fallocate, times, chmod/chown) and statfs.
#pragma once

namespace unix {

// Called by register_file_syscalls().
void register_fs_change_syscalls();

} // namespace unix
