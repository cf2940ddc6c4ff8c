// flock(2): whole-file advisory locks between the open file descriptions of the program
// (the table and its rules: flock_table.h). A blocking request waits until the conflicting
// lock goes (LOCK_UN, a conversion, or the last close of its description).
#include "lib/errno.h"
#include "sched/wait.h"
#include "unix/fd/file.h"
#include "unix/fd/flock_table.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

constexpr int kLockSh = 1, kLockEx = 2, kLockNb = 4, kLockUn = 8;

FlockTable g_locks;
sched::WaitQueue g_unlocked; // woken whenever a lock goes away

// What a lock is on: the file's tree node, else the object both ends of a pipe (or a
// socket's descriptions) share, else the description itself. Node keys are odd, pointers
// even, so the two never collide.
uintptr_t lock_key(const File& f) {
  if (f.node >= 0)
    return (static_cast<uintptr_t>(f.node) << 1) | 1;
  return reinterpret_cast<uintptr_t>(f.object ? f.object : &f);
}

} // namespace

void flock_forget(const File& file) {
  if (g_locks.unlock(&file))
    sched::wake_all(g_unlocked);
}

SyscallResult sys_flock(const SyscallArgs& a) {
  File* f = TRY(file_for(a.i(0)));
  const int op = a.i(1) & ~kLockNb;
  if (op == kLockUn) {
    flock_forget(*f);
    return 0L;
  }
  if (op != kLockSh && op != kLockEx)
    return Err(-EINVAL);
  const auto mode = op == kLockEx ? FlockTable::Mode::kExclusive : FlockTable::Mode::kShared;
  for (;;) {
    FlockTable::Mode held;
    bool converting = g_locks.holds(f, &held) && held != mode;
    int r = g_locks.lock(lock_key(*f), f, mode);
    if (converting) // the old lock went first: others may take theirs now
      sched::wake_all(g_unlocked);
    if (r != -EAGAIN)
      return r < 0 ? SyscallResult(Err(r)) : SyscallResult(0L);
    if (a.i(1) & kLockNb)
      return Err(-EAGAIN); // EWOULDBLOCK
    if (int w = sched::wait(g_unlocked, sched::kNoDeadline,
                            "flock on a file locked by another "
                            "open description");
        w < 0)
      return Err(w);
  }
}

} // namespace unix
