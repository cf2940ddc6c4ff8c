#include "unix/process/vsyscall.h"

#include "arch/x86_64/usercopy.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {

namespace {

constexpr uint64_t kVsyscallPage = 0xffffffffff600000ull;

} // namespace

bool emulate_vsyscall(arch::TrapFrame* f, uint64_t addr) {
  if ((addr & ~0xfffull) != kVsyscallPage || f->rip != addr)
    return false;
  SyscallArgs args{
      {static_cast<long>(f->rdi), static_cast<long>(f->rsi), static_cast<long>(f->rdx), 0, 0, 0}};
  SyscallHandler entry;
  switch (addr & 0xfff) {
  case 0x000:
    entry = sys_gettimeofday;
    break;
  case 0x400:
    entry = sys_time;
    break;
  case 0x800:
    entry = sys_getcpu;
    break;
  default:
    return false; // not an entry point: Linux sends SIGSEGV too
  }
  SyscallResult r = entry(args);
  // Back to the caller, as the entry's `ret` would have done.
  auto ret = copy_from_user(UserPtr<uint64_t>(f->rsp));
  if (!ret.ok())
    return false;
  f->rax = static_cast<uint64_t>(syscall_raw_result(r));
  f->rip = *ret;
  f->rsp += 8;
  return true;
}

} // namespace unix
