// The file-system lock: one sleeping mutex for all of kernel/fs. Every fs entry point that
// reads or writes the disk, or changes the tree, the inodes' extents and lengths, the
// free-space map or the metadata log, holds it for its whole run (FsLocked, RAII).
//
// Why: a disk request may sleep (drivers/virtio, interrupt-driven completion), and then
// another thread runs kernel code. An fs operation is often half-done at that point (an
// extent mapped but its data not written yet, a record half-appended to the log, the shared
// bounce block or log record buffer in use, a dirty-list walk in progress); the lock keeps
// every other fs operation out until it is finished. Code that only reads in-memory fs
// state and never sleeps (path walks, stat, lseek's extent search) needs no lock: a holder
// only sleeps inside a disk request, and each in-memory change is complete (non-preemptible
// kernel) before the request that follows it starts.
//
// Recursive for its owner, by design: fs functions call each other (allocate_file calls
// write_file, remove_entry releases a file's blocks, a truncate trims), and a page fault
// taken in copy_from_user inside a locked unix operation reads the file it maps. A counted
// recursive lock makes every public entry point lockable on its own without splitting each
// into a locked and an unlocked variant; the cost is one comparison per nested call.
//
// Thread context only (it may sleep), never from a top half, deferred work or a timer
// callback. Host unit tests run one thread with no scheduler: there it does nothing.
#pragma once

namespace fs {

class FsLocked {
public:
#ifdef KERNEL_HOST_BUILD
  FsLocked() {}
  ~FsLocked() {}
#else
  FsLocked();
  ~FsLocked();
#endif
  FsLocked(const FsLocked&) = delete;
  FsLocked& operator=(const FsLocked&) = delete;
};

} // namespace fs
