// The one program this kernel runs (the Nanos model: one process, pid 2), its threads, its
// memory map, open files and the manifest settings that shape it.
#pragma once

#include "mm/heap.h"
#include "mm/vm.h"
#include "sched/thread.h"
#include "unix/fd/file.h"
#include "unix/fs/fs_names.h"
#include "unix/memory/vm_map.h"
#include "unix/syscall/linux_abi.h"

#include <stdint.h>

namespace unix {

constexpr int kPid = 2; // pid 1 is the kernel, as in Nanos; the main thread's tid is kPid
constexpr int kMaxSignal = 64;

// Per-thread state of the program (one per sched::Thread).
struct Task {
  int tid = kPid;
  sched::Thread* thread = nullptr;
  Task* next = nullptr; // Process::tasks
  uint64_t signal_mask = 0;
  uint64_t pending_signals = 0; // tgkill/tkill aimed at this thread
  uint64_t sigwait_set = 0;     // rt_sigtimedwait in progress: these signals wake it too
  // rt_sigsuspend: the mask to restore once the handler that ended it returns.
  uint64_t saved_mask = 0;
  bool restore_saved_mask = false;
  linux::stack_t altstack = {0, 2 /* SS_DISABLE */, 0, 0};
  uint64_t clear_child_tid = 0; // CLONE_CHILD_CLEARTID / set_tid_address
  uint64_t robust_list = 0;     // set_robust_list head (user address)
};

struct Process {
  mm::AddressSpace* space = nullptr;
  VmMap vm{krealloc};              // its limit is set at boot from the guest's memory (start.cc)
  uint64_t brk_start = 0, brk = 0; // heap: [brk_start, page_up(brk)) is mapped
  uint64_t mmap_top = 0;           // mmap() hands out addresses below this, top down
  NodeId cwd = 0;
  const char* program = nullptr; // absolute path from the manifest
  char name[16] = "program";     // prctl PR_SET_NAME / PR_GET_NAME (one name, all threads)
  FdTable files;
  linux::sigaction actions[kMaxSignal + 1] = {};
  uint64_t pending_signals = 0; // kill, timers, SIGPIPE: taken by any thread not blocking them
  Task main_task;               // the first thread (tid = kPid)
  Task* tasks = &main_task;     // every live thread
  int next_tid = kPid + 1;
  // Manifest flags.
  bool trace = false;
  bool boot_timing = false;
  bool syscall_summary = false;
  bool noaslr = false;
  uint64_t first_user_tsc = 0;
};

// The one process. Inline: every system call asks for it several times, and under
// emulation each call instruction counts.
extern Process g_process;
inline Process& process() {
  return g_process;
}

// The boot thread's first question makes it the program's main task (task.cc).
Task& adopt_boot_thread();
// The calling thread's state (the main task until the first clone). Inline, as process():
// a system call that sleeps asks several times.
inline Task& current_task() {
  Task* t = sched::current()->task;
  return t ? *t : adopt_boot_thread();
}
// The live thread with this tid, or nullptr.
Task* find_task(int tid);

} // namespace unix
