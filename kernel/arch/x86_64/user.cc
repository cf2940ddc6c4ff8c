#include "arch/x86_64/user.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/segments.h"
#include "lib/string.h"

extern "C" arch::TrapFrame *current_syscall_frame_ptr;
extern "C" void syscall_entry();
extern "C" [[noreturn]] void return_to_user_frame(const arch::TrapFrame *frame);

extern "C" long (*syscall_handler_ptr)(long, long, long, long, long, long, long);
long (*syscall_handler_ptr)(long, long, long, long, long, long, long) = unix_syscall;

namespace arch {
namespace {
[[noreturn]] void default_fault(const TrapFrame &frame, int signal, uint64_t addr) {
  unix::handle_user_fault(frame, signal, addr);
}
UserHooks g_hooks{unix_syscall, unix::handle_user_page_fault, default_fault};
}  // namespace

void set_user_hooks(const UserHooks &hooks) {
  g_hooks = hooks;
  syscall_handler_ptr = hooks.syscall;
}
const UserHooks &user_hooks() { return g_hooks; }

void init_syscalls() {
  cpu::wrmsr(cpu::kMsrEfer, cpu::rdmsr(cpu::kMsrEfer) | 1);  // SCE
  cpu::wrmsr(cpu::kMsrStar, (static_cast<uint64_t>(kUserCode32) << 48) |
                                (static_cast<uint64_t>(kKernelCode) << 32));
  cpu::wrmsr(cpu::kMsrLstar, reinterpret_cast<uint64_t>(&syscall_entry));
  cpu::wrmsr(cpu::kMsrCstar, 0);
  // Cleared on entry: IF, DF, TF, AC, NT.
  cpu::wrmsr(cpu::kMsrFmask, 0x200 | 0x400 | 0x100 | 0x40000 | 0x4000);
}

TrapFrame *current_syscall_frame() { return current_syscall_frame_ptr; }

void fpu_reset_for_user();  // fpu.cc

void enter_user_mode(uint64_t rip, uint64_t rsp) {
  fpu_reset_for_user();
  TrapFrame f;
  memset(&f, 0, sizeof(f));
  f.rip = rip;
  f.rsp = rsp;
  f.cs = kUserCodeSelector;
  f.ss = kUserDataSelector;
  f.rflags = 0x2;  // interrupts stay off in this kernel, also in user mode
  f.vector = 0xFFFF;
  return_to_user_frame(&f);
}

void return_to_user(const TrapFrame &frame) {
  TrapFrame f = frame;
  f.cs = kUserCodeSelector;  // never let a frame escalate privilege
  f.ss = kUserDataSelector;
  f.rflags = (f.rflags & 0xCD5) | 0x2;  // user-modifiable flags only (CF PF AF ZF SF TF DF OF)
  return_to_user_frame(&f);
}

void set_fs_base(uint64_t base) { cpu::wrmsr(cpu::kMsrFsBase, base); }
uint64_t fs_base() { return cpu::rdmsr(cpu::kMsrFsBase); }
void set_gs_base(uint64_t base) { cpu::wrmsr(cpu::kMsrGsBase, base); }
uint64_t gs_base() { return cpu::rdmsr(cpu::kMsrGsBase); }

}  // namespace arch
