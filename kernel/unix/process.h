// The one program this kernel runs (the Nanos model: one process, pid 2), its memory map,
// open files and the manifest settings that shape it.
#pragma once

#include "mm/vm.h"
#include "unix/file.h"
#include "unix/linux_abi.h"
#include "unix/path_walk.h"
#include "unix/vm_map.h"

#include <stdint.h>

namespace unix {

constexpr int kPid = 2; // pid 1 is the kernel, as in Nanos
constexpr int kMaxSignal = 64;

struct Process {
  mm::AddressSpace* space = nullptr;
  VmMap vm;
  uint64_t brk_start = 0, brk = 0; // heap: [brk_start, page_up(brk)) is mapped
  uint64_t mmap_top = 0;           // mmap() hands out addresses below this, top down
  NodeId cwd = 0;
  const char* program = nullptr; // absolute path from the manifest
  FdTable files;
  uint64_t clear_child_tid = 0;
  linux::sigaction actions[kMaxSignal + 1] = {};
  uint64_t signal_mask = 0;
  uint64_t pending_signals = 0; // sent with kill/tgkill, delivered at syscall exit
  linux::stack_t altstack = {0, 2 /* SS_DISABLE */, 0, 0};
  // Manifest flags.
  bool trace = false;
  bool boot_timing = false;
  bool noaslr = false;
  uint64_t first_user_tsc = 0;
};

Process& process();

} // namespace unix
