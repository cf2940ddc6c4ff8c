#include "fs/fs_lock.h"

#include "sched/mutex.h"

#include <stdint.h>

namespace fs {
namespace {
sched::Mutex g_fs_mutex{nullptr, {}, "filesystem lock"};
uint32_t g_depth = 0; // how many FsLocked the owner holds; meaningful only while owned
} // namespace

FsLocked::FsLocked() {
  if (sched::held_by_current(g_fs_mutex)) {
    ++g_depth;
    return;
  }
  sched::lock(g_fs_mutex);
  g_depth = 1;
}

FsLocked::~FsLocked() {
  if (--g_depth == 0)
    sched::unlock(g_fs_mutex);
}

} // namespace fs
