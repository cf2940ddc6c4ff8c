// Threads inside the one process: clone/clone3 (threads only), exit of one thread,
// set_tid_address + CLONE_CHILD_CLEARTID, robust futex lists, gettid, sched_yield, and
// fork/vfork/execve refused with -ENOSYS (one process, no second address space).
#include "arch/x86_64/user.h"
#include "arch/x86_64/usercopy.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "sched/thread.h"
#include "unix/process/exit.h"
#include "unix/process/futex.h"
#include "unix/process/process.h"
#include "unix/signal/signal.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

enum : uint64_t {
  kCloneVm = 0x100,
  kCloneFs = 0x200,
  kCloneFiles = 0x400,
  kCloneSighand = 0x800,
  kCloneThread = 0x10000,
  kCloneSysvsem = 0x40000,
  kCloneSettls = 0x80000,
  kCloneParentSettid = 0x100000,
  kCloneChildCleartid = 0x200000,
  kCloneDetached = 0x400000, // ignored by Linux since 2.6
  kCloneChildSettid = 0x1000000,
};
constexpr uint64_t kCloneThreadFlags = kCloneVm | kCloneFs | kCloneFiles | kCloneSighand |
                                       kCloneThread | kCloneSysvsem | kCloneSettls |
                                       kCloneParentSettid | kCloneChildCleartid |
                                       kCloneDetached | kCloneChildSettid;

// Threads that exited point here until they are reaped (every signal blocked, no tid).
Task g_exited_task;

SyscallResult not_supported(const char* what) {
  if (process().trace)
    kprintf("%s: not supported (a unikernel runs one process: no fork, no exec); -ENOSYS\n",
            what);
  return Err(-ENOSYS);
}

// The new thread's first instructions: back to user mode with the parent's registers,
// rax = 0 and its own stack.
void user_thread_start(void* arg) {
  arch::TrapFrame frame = *static_cast<arch::TrapFrame*>(arg);
  kfree(arg);
  // A signal sent (tgkill) before the thread first ran is taken now: a thread that never
  // makes a syscall would otherwise only see it after its first preemption.
  deliver_pending_on_interrupt(&frame);
  arch::return_to_user(frame);
}

SyscallResult do_clone(uint64_t flags, uint64_t stack, UserPtr<int> parent_tid,
                       UserPtr<int> child_tid, uint64_t tls) {
  if (!(flags & kCloneVm))
    return not_supported("clone without CLONE_VM (a new process)");
  // A thread shares everything: anything less (e.g. CLONE_VM alone, vfork-style) would
  // need a second process.
  uint64_t needed = kCloneThread | kCloneSighand;
  if ((flags & needed) != needed)
    return not_supported("clone of a new process sharing memory");
  if ((flags & ~kCloneThreadFlags & ~0xFFull) || (flags & 0xFF))
    return Err(-EINVAL); // unknown flags, or an exit signal for a thread
  if ((flags & kCloneSettls) && tls >= kUserAddressEnd)
    return Err(-EPERM);
  arch::TrapFrame* parent = arch::current_syscall_frame();
  if (!parent)
    return Err(-EINVAL);
  Process& p = process();
  int tid = p.next_tid;
  if (flags & kCloneParentSettid)
    TRY(copy_to_user(parent_tid, &tid));
  if (flags & kCloneChildSettid)
    TRY(copy_to_user(child_tid, &tid));
  auto* task = new (std::nothrow) Task;
  auto* start = static_cast<arch::TrapFrame*>(kmalloc(sizeof(arch::TrapFrame)));
  if (!task || !start) {
    delete task;
    kfree(start);
    return Err(-ENOMEM);
  }
  *start = *parent;
  start->rax = 0;
  if (stack)
    start->rsp = stack;
  auto thread = sched::create_thread(user_thread_start, start);
  if (!thread) {
    delete task;
    kfree(start);
    return Err(thread.error());
  }
  ++p.next_tid;
  task->tid = tid;
  task->thread = *thread;
  task->signal_mask = current_task().signal_mask; // inherited; pending and altstack are not
  if (flags & kCloneChildCleartid)
    task->clear_child_tid = child_tid.address();
  (*thread)->task = task;
  if (flags & kCloneSettls)
    (*thread)->fs_base = tls;
  task->next = p.tasks;
  p.tasks = task;
  sched::make_runnable(*thread);
  return tid;
}

} // namespace

SyscallResult sys_clone(const SyscallArgs& a) {
  // Linux x86-64 order: flags, newsp, parent_tid, child_tid, tls.
  return do_clone(a.u(0), a.u(1), a.user<int>(2), a.user<int>(3), a.u(4));
}

namespace {

struct CloneArgs {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
  uint64_t set_tid, set_tid_size, cgroup;
};

} // namespace

SyscallResult sys_clone3(const SyscallArgs& a) {
  CloneArgs ca;
  memset(&ca, 0, sizeof ca);
  size_t size = a.u(1);
  if (size < 64 || size > 4096)
    return Err(-EINVAL);
  TRY(copy_from_user(&ca, a.user<void>(0), size < sizeof ca ? size : sizeof ca));
  // pidfd is only read with CLONE_PIDFD (refused with the other unknown flags); glibc
  // fills it in anyway.
  if (ca.exit_signal || ca.set_tid || ca.set_tid_size)
    return (ca.flags & kCloneVm) ? Err(-EINVAL) : not_supported("clone3 of a new process");
  if (ca.stack && !ca.stack_size)
    return Err(-EINVAL);
  return do_clone(ca.flags, ca.stack ? ca.stack + ca.stack_size : 0, UserPtr<int>(ca.parent_tid),
                  UserPtr<int>(ca.child_tid), ca.tls);
}

namespace {

// One robust-list lock held by the dying thread: mark it FUTEX_OWNER_DIED and wake a
// waiter so it can take it over.
void release_robust_lock(uint64_t word_addr, int tid) {
  constexpr uint32_t kWaiters = 0x80000000u, kOwnerDied = 0x40000000u, kTidMask = 0x3FFFFFFFu;
  UserPtr<uint32_t> lock(word_addr);
  if (word_addr & 3)
    return;
  auto word = copy_from_user(lock);
  if (!word.ok() || (*word & kTidMask) != static_cast<uint32_t>(tid))
    return;
  uint32_t next = (*word & kWaiters) | kOwnerDied;
  if (copy_to_user(lock, &next).ok() && (*word & kWaiters))
    futex_wake(word_addr, 1);
}

void walk_robust_list(const Task& t) {
  struct RobustListHead {
    uint64_t next;
    int64_t futex_offset;
    uint64_t list_op_pending;
  };
  if (!t.robust_list)
    return;
  auto read_head = copy_from_user(UserPtr<RobustListHead>(t.robust_list));
  if (!read_head.ok())
    return;
  const RobustListHead& head = *read_head;
  uint64_t pending = head.list_op_pending & ~1ull;
  uint64_t entry = head.next & ~1ull;
  for (int limit = 2048; entry != t.robust_list && entry && limit > 0; --limit) {
    auto next = copy_from_user(UserPtr<uint64_t>(entry)); // each entry starts with `next`
    if (!next.ok())
      break;
    if (entry != pending)
      release_robust_lock(entry + static_cast<uint64_t>(head.futex_offset), t.tid);
    entry = *next & ~1ull;
  }
  if (pending)
    release_robust_lock(pending + static_cast<uint64_t>(head.futex_offset), t.tid);
}

} // namespace

SyscallResult sys_exit(const SyscallArgs& a) {
  if (sched::live_threads() <= 1)
    exit_program(a.i(0) & 0xFF); // the last thread: the program ends
  Task& t = current_task();
  walk_robust_list(t);
  if (t.clear_child_tid) {
    // pthread_join waits on this word with FUTEX_WAIT until it reads 0.
    uint32_t zero = 0;
    if (copy_to_user(UserPtr<uint32_t>(t.clear_child_tid), &zero).ok())
      futex_wake(t.clear_child_tid, 1);
  }
  Process& p = process();
  for (Task** link = &p.tasks; *link; link = &(*link)->next) {
    if (*link == &t) {
      *link = t.next;
      break;
    }
  }
  // Signals only this thread had pending die with it.
  g_exited_task.signal_mask = ~0ull;
  g_exited_task.tid = 0;
  sched::current()->task = &g_exited_task;
  if (&t != &p.main_task)
    delete &t;
  else
    t.thread = nullptr;
  sched::exit_current();
}

SyscallResult sys_set_tid_address(const SyscallArgs& a) {
  Task& t = current_task();
  t.clear_child_tid = a.u(0);
  return t.tid;
}

SyscallResult sys_set_robust_list(const SyscallArgs& a) {
  if (a.u(1) != 24)
    return Err(-EINVAL);
  current_task().robust_list = a.u(0);
  return 0;
}

SyscallResult sys_get_robust_list(const SyscallArgs& a) {
  Task* t = a.i(0) == 0 ? &current_task() : find_task(a.i(0));
  if (!t)
    return Err(-ESRCH);
  uint64_t len = 24;
  TRY(copy_to_user(a.user<uint64_t>(1), &t->robust_list));
  TRY(copy_to_user(a.user<uint64_t>(2), &len));
  return 0;
}

SyscallResult sys_gettid(const SyscallArgs&) {
  return current_task().tid;
}

SyscallResult sys_sched_yield(const SyscallArgs&) {
  sched::yield();
  return 0;
}

SyscallResult sys_fork(const SyscallArgs&) {
  return not_supported("fork");
}
SyscallResult sys_vfork(const SyscallArgs&) {
  return not_supported("vfork");
}
SyscallResult sys_execve(const SyscallArgs&) {
  return not_supported("execve");
}

} // namespace unix
