// /dev/shm: a small memory file system of named files, where glibc's shm_open() and
// sem_open() put theirs ("/dev/shm/NAME"; a POSIX semaphore is a file mapped MAP_SHARED).
// The files are memfds (memfd.h), so shared mappings work, which files on the disk do not
// offer. Only absolute paths "/dev/shm/NAME" reach it (the C library always uses those);
// open, unlink and link are handled -- what shm_open, shm_unlink, sem_open and sem_unlink
// do. There is no directory node: stat("/dev/shm") and listing it are ENOENT.
#pragma once

#include "arch/x86_64/user_ptr.h"
#include "lib/error_or.h"
#include "unix/fs/file_paths.h"

namespace unix {

// The NAME of "/dev/shm/NAME" (one component, not "." or ".."), or nullptr. Pure.
const char* shm_name_of(const char* path);

// Reads a user path and, when it names a /dev/shm file, copies NAME to name and returns
// true.
ErrorOr<bool> user_shm_name(UserPtr<const char> path, char name[kNameBuffer]);

// open(2) of /dev/shm/NAME with these flags: the new descriptor.
ErrorOr<long> shm_open_name(const char* name, int flags);
ErrorOr<long> shm_unlink_name(const char* name);
ErrorOr<long> shm_link_names(const char* from, const char* to);

} // namespace unix
